#!/bin/sh
# Benchmarks of the S3 tier against s3proxy on loopback (filesystem backend). Not a test:
# prints numbers.
#  (1) fresh local dir + warm bucket: `go build std` time ÷ warm local time (same helper).
#  (2) requests per hit: S3 GETs ÷ remote hits in the fresh-dir build.
#  (3) upload throughput: 64 puts of 1 MiB fed to the helper over the GOCACHEPROG
#      protocol, then close; bytes uploaded ÷ time until the helper has drained them.
# Usage: bench/s3.sh [runs]   (build first: ./mvnw -q -B package -DskipTests; needs the
#        s3proxy jar in target/s3proxy, which any Maven test run puts there)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
pc="$root/target/progcache/bin/progcache"
jar="$root/target/s3proxy/s3proxy.jar"
go=${GO:-$(command -v go || echo /opt/progcache-go/usr/lib/go-1.27/bin/go)}
java=${JAVA:-$(sed -n "s/^java='\(.*\)'$/\1/p" "$pc")}
runs=${1:-3}
work=$(mktemp -d /tmp/progcache-s3bench.XXXXXX)
s3_pid=
cleanup() { [ -n "$s3_pid" ] && kill "$s3_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/s3/bench"   # the filesystem backend: a directory is a bucket
cat >"$work/s3.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=AKIAPROGCACHEBENCH01
s3proxy.credential=progcache-bench-secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$work/s3
CONF
"$java" -XX:+UseSerialGC -jar "$jar" --properties "$work/s3.conf" >"$work/s3.log" 2>&1 &
s3_pid=$!
python3 - "$port" <<'PY' || { cat "$work/s3.log"; exit 1; }
import socket, sys, time
end = time.time() + 120
while True:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close(); break
    except OSError:
        if time.time() > end: sys.exit("s3proxy did not listen within 120 s")
        time.sleep(0.1)
PY
echo "s3proxy on 127.0.0.1:$port (pid $s3_pid)"

export PROGCACHE_S3_ENDPOINT="http://127.0.0.1:$port" PROGCACHE_S3_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=AKIAPROGCACHEBENCH01 AWS_SECRET_ACCESS_KEY=progcache-bench-secret \
  AWS_EC2_METADATA_DISABLED=true GO111MODULE=off GOTELEMETRY=off

now() { date +%s%N; }
# gobuild HOME_DIR: go build std with the helper on HOME_DIR/cache and the bucket; prints ms
gobuild() {
  sync # the last run's file writes reach the disk now, not during this timed run
  t0=$(now)
  GOCACHE="$1/gocache" GOCACHEPROG="$pc --dir $1/cache -v --s3 s3://bench/std" \
    "$go" build std 2>"$1/err.log"
  t1=$(now)
  echo $(( (t1 - t0) / 1000000 ))
}
stat() { sed -n "s/.*progcache: .* $2=\([0-9.]*\).*/\1/p" "$1" | tail -1; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "filling the bucket: cold go build std (a few minutes on a busy machine)..."
mkdir -p "$work/cold"
cold=$(gobuild "$work/cold")
sleep 1
up=$(stat "$work/cold/err.log" remote-bytes-up); ups=$(stat "$work/cold/err.log" remote-uploads)
for n in $(seq "$runs"); do mkdir -p "$work/fresh$n"; gobuild "$work/fresh$n"; done | median >"$work/fresh.ms"
hits=$(stat "$work/fresh1/err.log" remote-hits); gets=$(stat "$work/fresh1/err.log" s3-get-requests)
for n in $(seq "$runs"); do gobuild "$work/fresh1"; done | median >"$work/local.ms"
f=$(cat "$work/fresh.ms"); l=$(cat "$work/local.ms")
echo "go build std, median of $runs:"
echo "  cold, uploading to the bucket  ${cold} ms  ($ups objects, $up bytes)"
echo "  helper, fresh dir + bucket     ${f} ms"
echo "  helper, warm local dir         ${l} ms"
awk -v f="$f" -v l="$l" -v h="$hits" -v g="$gets" 'BEGIN {
  printf "  fresh+bucket / warm local = %.2f\n", f/l
  printf "  S3 requests per hit = %.2f (%d GETs for %d hits)\n", g/h, g, h }'

# (3) upload throughput through the uploader (4 concurrent PUTs by default)
PROGCACHE_REMOTE_DRAIN=300s python3 - "$pc" "$work/burst" <<'PY'
import base64, hashlib, json, os, re, subprocess, sys, time
pc, d = sys.argv[1], sys.argv[2]
n, size = 64, 1 << 20
p = subprocess.Popen([pc, "--dir", d, "-v", "--s3", "s3://bench/burst"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
p.stdout.readline()
b64 = lambda b: base64.b64encode(b).decode()
t0 = time.perf_counter()
for i in range(n):
    body = os.urandom(size)
    req = {"ID": i + 1, "Command": "put", "ActionID": b64(hashlib.sha256(b"burst%d" % i).digest()),
           "OutputID": b64(hashlib.sha256(body).digest()), "BodySize": size}
    p.stdin.write((json.dumps(req) + "\n" + json.dumps(b64(body)) + "\n").encode())
p.stdin.write(b'{"ID":100000,"Command":"close"}\n'); p.stdin.close()
p.stdout.read(); err = p.stderr.read().decode(); p.wait()
t = time.perf_counter() - t0
up = int(re.search(r"remote-bytes-up=(\d+)", err).group(1))
print("  upload burst: %d x %d KiB in %.2f s incl. local writes = %.1f MiB/s (%d bytes uploaded)"
      % (n, size >> 10, t, up / t / 1048576, up))
PY
