#!/bin/sh
# Cost of the status page's per-request bookkeeping: small-object GETs/s of `progcache serve`
# with it on (the default) and off (-Dprogcache.status.bookkeeping=off, for this measurement
# only), alternating on/off servers for several rounds so that load from elsewhere hits both.
# Not a test: prints numbers. Needs wrk (Debian package "wrk") and curl.
# Usage: bench/status-cost.sh [rounds] [seconds]   (build first: ./mvnw -q -B package -DskipTests)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
pc="$root/target/progcache/bin/progcache"
rounds=${1:-3}
secs=${2:-10}
command -v wrk >/dev/null 2>&1 || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
work=$(mktemp -d /tmp/progcache-status-cost.XXXXXX)
srv_pid=
cleanup() { [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM

printf 'a small cached object, 100 bytes or so..........................................................' >"$work/obj"
out=$(sha256sum "$work/obj" | cut -c1-64)
act=$(printf 'status cost action' | sha256sum | cut -c1-64)

# run MODE: starts a server (bookkeeping MODE), warms it, prints GETs/s of one wrk run
run() {
  rm -rf "$work/srv" "$work/serve.log"
  PROGCACHE_JAVA_OPTS="-Dprogcache.status.bookkeeping=$1" \
    "$pc" serve --listen 127.0.0.1:0 --dir "$work/srv" --no-access-log 2>"$work/serve.log" &
  srv_pid=$!
  url=$(await_url "$work/serve.log") || exit 1
  curl -fsS -X PUT --data-binary @"$work/obj" "$url$act/$out"
  wrk -t2 -c64 -d5s -H 'Want-Object: 1' "$url""action/$act" >/dev/null # warm-up (JIT)
  wrk -t2 -c64 -d"${secs}s" -H 'Want-Object: 1' "$url""action/$act" | awk '/Requests\/sec/ {print $2}'
  kill "$srv_pid"; wait "$srv_pid" 2>/dev/null || true; srv_pid=
}

for n in $(seq "$rounds"); do
  on=$(run on); off=$(run off)
  echo "round $n: bookkeeping on ${on}/s  off ${off}/s"
  echo "$on" >>"$work/on"; echo "$off" >>"$work/off"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
on=$(median "$work/on"); off=$(median "$work/off")
echo "median of $rounds: on ${on}/s  off ${off}/s"
awk -v a="$on" -v b="$off" 'BEGIN {printf "on / off = %.3f  (cost per request ~ %.2f us at these rates)\n", a/b, (1/a - 1/b) * 1e6}'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
