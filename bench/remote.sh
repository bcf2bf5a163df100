#!/bin/sh
# Benchmarks of the shared HTTP tier, on loopback only. Not a test: prints numbers.
#  (1) fresh local dir + warm `progcache serve`: `go build std` time ÷ warm local
#      time (same helper, warm local dir) and ÷ go's own warm cache.
#  (2) server throughput: small-object GETs/s and latency percentiles with 64
#      connections from wrk (Debian package "wrk"), and the server's RSS.
# Usage: bench/remote.sh [runs]      (build first: ./mvnw -q -B package -DskipTests)
#        PART=gets bench/remote.sh   only (2); PART=build only (1)
#        PROGCACHE=DIR/bin/progcache bench/remote.sh   another build (A/B comparisons)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
pc=${PROGCACHE:-"$root/target/progcache/bin/progcache"}
part=${PART:-all}
go=${GO:-$(command -v go || echo /opt/progcache-go/usr/lib/go-1.27/bin/go)}
runs=${1:-3}
work=$(mktemp -d /tmp/progcache-bench.XXXXXX)
srv_pid=
cleanup() { [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM

"$pc" serve --listen 127.0.0.1:0 --dir "$work/srv" --no-access-log 2>"$work/serve.log" &
srv_pid=$!
url=$(await_url "$work/serve.log") || exit 1
echo "server $url (pid $srv_pid)"

now() { date +%s%N; }
# gobuild HOME_DIR: go build std with the helper on HOME_DIR/cache and the server; prints ms
gobuild() {
  sync # the last run's file writes reach the disk now, not during this timed run
  t0=$(now)
  GOCACHE="$1/gocache" GO111MODULE=off GOTELEMETRY=off \
    GOCACHEPROG="$pc --dir $1/cache -v --remote $url" "$go" build std 2>"$1/err.log"
  t1=$(now)
  echo $(( (t1 - t0) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

if [ "$part" != gets ]; then
echo "warming the server: cold go build std (tens of seconds)..."
mkdir -p "$work/warm"
gobuild "$work/warm" >/dev/null
sleep 1
for n in $(seq "$runs"); do gobuild "$work/warm"; done | median >"$work/local.ms"
# one unmeasured fresh-dir build first: a team's server has long since compiled its read path
# (its first reads run in the interpreter and C1 while C2 compiles, on the same two cores)
mkdir -p "$work/fresh0"; gobuild "$work/fresh0" >/dev/null
for n in $(seq "$runs"); do
  mkdir -p "$work/fresh$n"; gobuild "$work/fresh$n"
done | tee "$work/fresh.all" | median >"$work/fresh.ms"
echo "fresh dir + server, each run: $(tr '\n' ' ' <"$work/fresh.all")ms"
tail -1 "$work/fresh1/err.log"
mkdir -p "$work/plain"
GOCACHE="$work/plain" GO111MODULE=off "$go" build std
for n in $(seq "$runs"); do
  t0=$(now); GOCACHE="$work/plain" GO111MODULE=off "$go" build std; t1=$(now)
  echo $(( (t1 - t0) / 1000000 ))
done | median >"$work/plain.ms"
l=$(cat "$work/local.ms"); f=$(cat "$work/fresh.ms"); p=$(cat "$work/plain.ms")
echo "go build std, median of $runs:"
echo "  go's own warm cache         ${p} ms"
echo "  helper, warm local dir      ${l} ms"
echo "  helper, fresh dir + server  ${f} ms"
awk -v f="$f" -v l="$l" -v p="$p" 'BEGIN {printf "  fresh+server / warm local = %.2f   fresh+server / go warm = %.2f\n", f/l, f/p}'
fi
[ "$part" = build ] && exit 0

# (2) small-object GETs
printf 'a small cached object, 100 bytes or so..........................................................' >"$work/obj"
out=$(sha256sum "$work/obj" | cut -c1-64)
act=$(printf 'bench action' | sha256sum | cut -c1-64)
curl -fsS -X PUT --data-binary @"$work/obj" "$url$act/$out"
rss() { awk '/VmRSS/ {print $2 " kB"}' /proc/"$srv_pid"/status; }
echo "server RSS before load: $(rss)"
if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk not found: apt-get install -y wrk" >&2
  exit 1
fi
wrk -t2 -c64 -d10s -H 'Want-Object: 1' "$url""action/$act" >/dev/null # warm-up: C2 done before measuring
wrk -t2 -c64 -d15s --latency -H 'Want-Object: 1' "$url""action/$act"
echo "server RSS after load: $(rss)"
