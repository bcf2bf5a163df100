#!/usr/bin/env python3
"""Time from starting the helper to reading its handshake line, and to its exit after a close.

usage: bench/handshake.py LAUNCHER [RUNS] [ENV=VALUE...]
Prints the median and p90 in milliseconds. Extra ENV=VALUE pairs configure the helper, e.g.
PROGCACHE_S3=s3://bucket to show that a configured bucket does not slow the handshake.
"""
import os, subprocess, sys, tempfile, time, statistics

launcher = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
env = dict(os.environ)
for kv in sys.argv[3:]:
    k, v = kv.split("=", 1)
    env[k] = v
d = tempfile.mkdtemp(prefix="progcache-hs-")
env["PROGCACHE_DIR"] = d
times = []
exits = []
for i in range(runs + 2):
    t0 = time.perf_counter()
    p = subprocess.Popen([launcher, "-v"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    line = p.stdout.readline()
    t1 = time.perf_counter()
    p.stdin.write(b'{"ID":1,"Command":"close"}\n')
    p.stdin.close()
    p.stdout.read()
    p.wait(timeout=30)
    t2 = time.perf_counter()
    if not line.startswith(b'{"ID":0'):
        sys.exit("unexpected first line: %r" % line)
    if i >= 2:
        times.append((t1 - t0) * 1000)
        exits.append((t2 - t0) * 1000)
for name, xs in (("handshake", times), ("start to exit after close", exits)):
    xs.sort()
    print("%s ms: median %.1f  p90 %.1f  (n=%d)" % (name, statistics.median(xs), xs[int(len(xs) * 0.9) - 1], len(xs)))
