#!/bin/sh
# Benchmarks of the shared HTTP tier, on loopback only. Not a test: prints numbers.
#  (1) fresh local dir + warm `progcache serve`: `go build std` time ÷ warm local
#      time (same helper, warm local dir) and ÷ go's own warm cache. go runs in its default
#      (module) mode, as users run it; GO111MODULE=off bench/remote.sh measures GOPATH mode,
#      where go starts its cache program only after loading every package.
#  (2) server throughput: small-object GETs/s and latency percentiles with 64
#      connections from wrk (Debian package "wrk"; else bench/load), and the server's RSS
#      beside them.
# Usage: bench/remote.sh [runs]      (build first: ./mvnw -q -B package -DskipTests)
#        PART=gets bench/remote.sh   only (2); PART=build only (1)
#        PROGCACHE=DIR/bin/progcache bench/remote.sh   another build (A/B comparisons)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
pc=${PROGCACHE:-"$root/target/progcache/bin/progcache"}
case $pc in /*) ;; *) pc="$PWD/$pc" ;; esac # the builds run in a temp directory
part=${PART:-all}
go=${GO:-$(command -v go || echo /opt/progcache-go/usr/lib/go-1.27/bin/go)}
runs=${1:-3}
export GO111MODULE="${GO111MODULE:-}" GOENV=off GOTOOLCHAIN=local GOPROXY=off GOFLAGS= GOTELEMETRY=off
work=$(mktemp -d /tmp/progcache-bench.XXXXXX)
srv_pid=
cleanup() {
  [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"
  # ext4 creates files slowly for minutes after large deletions (bench/README.md): one run
  # started right after another's cleanup measured 2.94 where the run before it measured 1.97
  echo "bench: removed $work; on ext4 wait about five minutes before timing fresh directories again" >&2
}
trap cleanup EXIT INT TERM

"$pc" serve --listen 127.0.0.1:0 --dir "$work/srv" --no-access-log 2>"$work/serve.log" &
srv_pid=$!
url=$(await_url "$work/serve.log") || exit 1
echo "server $url (pid $srv_pid); go $("$go" env GOVERSION), GO111MODULE=${GO111MODULE:-(default: on)}"
cd "$work" # no go.mod around: every build has the same build context

now() { date +%s%N; }
# gobuild HOME_DIR: go build std with the helper on HOME_DIR/cache and the server; prints ms
gobuild() {
  sync # the last run's file writes reach the disk now, not during this timed run
  t0=$(now)
  GOCACHE="$1/gocache" GOCACHEPROG="$pc --dir $1/cache -v --remote $url" "$go" build std 2>"$1/err.log"
  t1=$(now)
  echo $(( (t1 - t0) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

if [ "$part" != gets ]; then
echo "warming the server and go's own cache: two cold go build std (tens of seconds each)..."
mkdir -p "$work/warm" "$work/plain"
cold_build gobuild "$work/warm" >/dev/null
cold_build env GOCACHE="$work/plain" "$go" build std
# unmeasured fresh-dir builds first: a team's server has long since compiled its read path.
# Measured on a new server: its CPU per fresh build fell from 1.5 s (first) to 0.4-0.8 s
# (third to fifth) and 0.16-0.23 s (from about the tenth on), on the same two cores as go.
echo "warming the server's read path: ${SERVER_WARMUP:=12} unmeasured fresh-directory builds..."
for n in $(seq "$SERVER_WARMUP"); do mkdir -p "$work/pre$n"; gobuild "$work/pre$n" >/dev/null; done
gobuild "$work/warm" >/dev/null
# rounds of go's own warm cache, the helper's warm local dir and a fresh dir, side by side: this
# machine's speed drifts by a third within minutes, so each fresh build is divided by the warm
# local build just before it
for n in $(seq "$runs"); do
  sync; t0=$(now); GOCACHE="$work/plain" "$go" build std; t1=$(now)
  p=$(( (t1 - t0) / 1000000 ))
  l=$(gobuild "$work/warm")
  mkdir -p "$work/fresh$n"; f=$(gobuild "$work/fresh$n")
  echo "$p $l $f"
done >"$work/rounds"
grep "^progcache: gets=" "$work/fresh1/err.log" || true
echo "go build std, $runs rounds (ms: go's own warm cache, helper warm local dir, helper fresh dir + server):"
awk '{printf "  %5d %5d %5d   fresh / warm local = %.2f   fresh / go warm = %.2f\n", $1, $2, $3, $3/$2, $3/$1}' "$work/rounds"
col() { awk -v c="$1" '{print $c}' "$work/rounds" | median; }
ratio() { awk -v a="$1" -v b="$2" '{printf "%.4f\n", $a/$b}' "$work/rounds" | median; }
echo "  medians: go's own warm $(col 1) ms, warm local $(col 2) ms, fresh + server $(col 3) ms"
echo "  median of the rounds' ratios: fresh / warm local = $(ratio 3 2 | cut -c1-4), fresh / go warm = $(ratio 3 1 | cut -c1-4)"
fi
[ "$part" = build ] && exit 0

# (2) small-object GETs
printf 'a small cached object, 100 bytes or so..........................................................' >"$work/obj"
out=$(sha256sum "$work/obj" | cut -c1-64)
act=$(printf 'bench action' | sha256sum | cut -c1-64)
curl -fsS -X PUT --data-binary @"$work/obj" "$url$act/$out"
# the JVM's pid: the launcher execs it, or (with PROGCACHE_JAVA_OPTS set) runs it as its child
jvm_pid() { c=$(pgrep -P "$srv_pid" java | head -1); echo "${c:-$srv_pid}"; }
rss() { awk '/VmRSS/ {print $2 " kB"}' /proc/"$(jvm_pid)"/status; }
echo "server RSS before load: $(rss)"
if command -v wrk >/dev/null 2>&1; then
  load() { wrk -t2 -c64 -d"$1" --latency -H 'Want-Object: 1' "$url""action/$act"; }
else # bench/load, a small Go program doing the same (its client costs more CPU than wrk's)
  echo "wrk not found (apt-get install -y wrk): using bench/load"
  (cd "$root/bench/load" && GO111MODULE=off GOFLAGS= "$go" build -o "$work/load" .)
  load() { "$work/load" -c 64 -d "$1" -H 'Want-Object: 1' "$url""action/$act"; }
fi
load 10s >/dev/null # warm-up: C2 done before measuring
load 15s | tee "$work/load.out"
echo "server RSS after load: $(rss) (peak $(awk '/VmHWM/ {print $2 " kB"}' /proc/"$(jvm_pid)"/status))"
echo "summary: $(sed -n 's/^Requests\/sec: *//p' "$work/load.out") GETs/s," \
  "p99 $(awk '/99%/ {print $2}' "$work/load.out"), server RSS $(rss)"
