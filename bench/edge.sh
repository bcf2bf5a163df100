#!/bin/sh
# Benchmark of an edge cache (`progcache serve --upstream`), on loopback only. Not a test:
# prints numbers. A central server is warmed by a cold `go build std`; then, in the same run:
#  - helper, warm local dir                                   (the reference)
#  - helper, fresh dir -> fresh edge -> warm central          (every hit read through the edge)
#  - helper, fresh dir -> warm edge (the edge now holds all)  (the edge alone)
#  - go's own warm cache
# and the ratios of the edge figures to the warm local one.
# Usage: bench/edge.sh [runs]      (build first: ./mvnw -q -B package -DskipTests)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
pc="$root/target/progcache/bin/progcache"
go=${GO:-$(command -v go || echo /opt/progcache-go/usr/lib/go-1.27/bin/go)}
runs=${1:-3}
work=$(mktemp -d /tmp/progcache-bench.XXXXXX)
pids=
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM

# serve NAME [flags...]: starts a server on a free port with its dir and log under $work/NAME;
# sets $url to its base URL
serve() {
  name=$1; shift
  "$pc" serve --listen 127.0.0.1:0 --dir "$work/$name" --no-access-log "$@" 2>"$work/$name.log" &
  pids="$pids $!"
  url=$(await_url "$work/$name.log") || exit 1
}

now() { date +%s%N; }
# gobuild HOME_DIR URL: go build std with the helper on HOME_DIR/cache and the server at URL; prints ms
gobuild() {
  mkdir -p "$1"
  sync # the last run's file writes reach the disk now, not during this timed run
  t0=$(now)
  GOCACHE="$1/gocache" GO111MODULE=off GOTELEMETRY=off PROGCACHE_REMOTE_DRAIN=120s \
    GOCACHEPROG="$pc --dir $1/cache -v --remote $2" "$go" build std 2>"$1/err.log"
  t1=$(now)
  echo $(( (t1 - t0) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
stats() { grep 'progcache: gets=' "$1/err.log" | tail -1; }

serve central
central=$url
echo "central $central"
echo "warming the central server: cold go build std (tens of seconds or more)..."
gobuild "$work/warm" "$central" >/dev/null
sleep 1
for n in $(seq "$runs"); do gobuild "$work/warm" "$central"; done | median >"$work/local.ms"

: >"$work/cold.all"; : >"$work/hot.all"
for n in $(seq "$runs"); do
  serve "edge$n" --upstream "$central"
  edge=$url
  gobuild "$work/cold$n" "$edge" >>"$work/cold.all"   # the edge fetches every entry from central
  gobuild "$work/hot$n" "$edge" >>"$work/hot.all"     # the edge now holds them all
done
median <"$work/cold.all" >"$work/cold.ms"
median <"$work/hot.all" >"$work/hot.ms"
echo "fresh dir via fresh edge: $(stats "$work/cold1")"
echo "fresh dir via warm edge:  $(stats "$work/hot1")"
echo "edge$runs upstream counters:"; curl -fsS "${edge}metrics" 2>/dev/null | grep '^progcache_upstream_requests_total{outcome="\(hit\|miss\|error\|corrupt\)"' || true

mkdir -p "$work/plain"
GOCACHE="$work/plain" GO111MODULE=off "$go" build std
for n in $(seq "$runs"); do
  t0=$(now); GOCACHE="$work/plain" GO111MODULE=off "$go" build std; t1=$(now)
  echo $(( (t1 - t0) / 1000000 ))
done | median >"$work/plain.ms"

l=$(cat "$work/local.ms"); c=$(cat "$work/cold.ms"); h=$(cat "$work/hot.ms"); p=$(cat "$work/plain.ms")
echo "go build std, median of $runs (load average: $(cut -d' ' -f1-3 /proc/loadavg)):"
echo "  go's own warm cache                     ${p} ms"
echo "  helper, warm local dir                  ${l} ms"
echo "  helper, fresh dir + fresh edge+central  ${c} ms"
echo "  helper, fresh dir + warm edge           ${h} ms"
awk -v c="$c" -v h="$h" -v l="$l" -v p="$p" 'BEGIN {
  printf "  fresh edge / warm local = %.2f   warm edge / warm local = %.2f\n", c/l, h/l
  printf "  fresh edge / go warm    = %.2f   warm edge / go warm    = %.2f\n", c/p, h/p }'
