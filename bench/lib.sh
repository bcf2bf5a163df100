# Shared by the bench scripts (sourced; POSIX sh).

# await_url LOG: waits up to 30 s until the `progcache serve` logging to LOG listens, then prints
# its URL; on time-out prints the log on stderr and fails.
await_url() {
  i=0
  until grep -q 'listening on' "$1" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 300 ] && { cat "$1" >&2; return 1; }; sleep 0.1
  done
  sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$1"
}

# cold_build CMD...: runs a cold build's command with go's temp files on a tmpfs (/dev/shm) when
# there is one. A cold build makes and deletes tens of thousands of temp files, and on ext4
# creating files is slower for minutes after that: measured, fresh-directory builds right after
# a cold build with its temp files on ext4 took 2.0-2.8 s, after one on tmpfs 1.1-1.5 s.
cold_build() {
  (
    t=$(mktemp -d /dev/shm/progcache-bench.XXXXXX 2>/dev/null) || t=
    [ -n "$t" ] && export GOTMPDIR="$t"
    "$@" && rc=0 || rc=$? # not "$@"; rc=$?: under set -e a failure would skip the clean-up
    [ -n "$t" ] && rm -rf "$t"
    exit $rc
  )
}

# ci_server PREFIX: for the CI scripts, with $pc the launcher: go's environment as a CI job's
# (GOPATH mode, no network, no helper), a work directory $work (/tmp/PREFIX.XXXXXX), a loopback
# `progcache serve` on $work/srv at $url (pid $srv_pid), and a clean-up at exit that stops the
# daemons of $work/sock*, the server, and removes $work.
ci_server() {
  export GO111MODULE=off GOENV=off GOTOOLCHAIN=local GOPROXY=off GOFLAGS= GOTELEMETRY=off
  unset GOCACHEPROG PROGCACHE_DIR
  work=$(mktemp -d "/tmp/$1.XXXXXX")
  srv_pid=
  trap ci_cleanup EXIT INT TERM
  "$pc" serve --listen 127.0.0.1:0 --dir "$work/srv" --no-access-log 2>"$work/serve.log" &
  srv_pid=$!
  url=$(await_url "$work/serve.log")
}
ci_cleanup() {
  for d in "$work"/sock*; do [ -d "$d" ] && PROGCACHE_SOCKET_DIR=$d "$pc" daemon stop >/dev/null 2>&1; done
  [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"
}
# warm_writes URL [COUNT]: COUNT (default 2400) PUTs of distinct bodies to the server at URL from 4
# connections, each after a GET of its action that misses, as a helper's cold build sends them,
# with bodies from a few bytes to 600 kB as go's are, so that its read and write paths are
# compiled before a timed build: a team's server has long since done that (a new server spent
# about 2 s of C2 time in a cold go build std's uploads, on the same two cores as go; with PUTs
# of one size only, C2 still compiled ~0.5 s per replay of that build's uploads). Needs python3.
warm_writes() {
  python3 - "$1" "${2:-2400}" <<'PY'
import hashlib, http.client, os, random, sys, threading, urllib.parse
u = urllib.parse.urlparse(sys.argv[1]); n = int(sys.argv[2])
def work(k):
    c = http.client.HTTPConnection(u.hostname, u.port)
    rnd = random.Random(k)
    for i in range(k, n, 4):
        b = os.urandom(int(2 ** rnd.uniform(3, 19.2)))
        action = hashlib.sha256(b"warm %d %s" % (i, os.urandom(8))).hexdigest()
        c.request("GET", "%saction/%s" % (u.path, action), headers={"Want-Object": "1"})
        r = c.getresponse(); r.read()
        if r.status != 404:
            sys.exit("warm_writes: GET: HTTP %d" % r.status)
        path = "%s%s/%s" % (u.path, action, hashlib.sha256(b).hexdigest())
        c.request("PUT", path, body=b, headers={"Content-Type": "application/octet-stream"})
        r = c.getresponse(); r.read()
        if r.status not in (200, 201, 204):
            sys.exit("warm_writes: HTTP %d" % r.status)
ts = [threading.Thread(target=work, args=(k,)) for k in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
PY
}
# warm_replays URL GOCACHE COUNT: with $pc the launcher and $root the checkout, COUNT replays
# (bench/replay, built into $work by bench/go-tool.sh) of the puts go's cache directory GOCACHE
# holds into the one-shot helper uploading to the server at URL, each salted (new objects), its
# local directory on /dev/shm when there is one (no large deletions on the disk the timed builds
# use). A team's server has served many builds: a new one, even after warm_writes, kept compiling
# for about ten builds' worth of a helper's requests (its C2 spent ~0.5 s per replay before that,
# ~0.1 s after; ADR 0037, 0038), on the same cores a timed build runs on.
warm_replays() {
  local rp; rp=$("$root/bench/go-tool.sh" replay "$work")
  local i d base=/dev/shm; [ -d "$base" ] && [ -w "$base" ] || base=$work
  for i in $(seq "$3"); do
    d=$(mktemp -d "$base/progcache-warm.XXXXXX")
    "$rp" "$2" "warm-$i-$(date +%s%N)" -- "$pc" --prefetch=false --dir "$d" --remote "$1" \
      2>/dev/null || { rm -rf "$d"; echo "bench: warm replay $i failed" >&2; return 1; }
    rm -rf "$d"
  done
}
# median N...: the median of the numbers given as arguments (the lower one of an even count).
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
