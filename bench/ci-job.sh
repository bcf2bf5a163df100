#!/usr/bin/env bash
# A fresh CI runner's job through progcache: a new local directory and, for the relay, a new
# daemon, against a warm `progcache serve` on loopback. The job runs several go commands (build,
# vet, test), as CI jobs do. Measured in interleaved rounds: the one-shot helper, and the relay
# starting its daemon on the job's first go command, or started ahead in the background
# (`progcache-relay --start &`); each job's wall time is divided by the same job on go's own warm
# cache in this run.
# Usage: bench/ci-job.sh [rounds]   (after ./mvnw -q package -DskipTests; needs go >= 1.24)
# The cold build that fills the server takes a minute or two.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
pc="$root/target/progcache/bin/progcache"
relay="$root/target/progcache/bin/progcache-relay"
[ -x "$relay" ] || { echo "bench: $relay missing (no C compiler at build time?)" >&2; exit 1; }
command -v go >/dev/null || { echo "bench: no go on PATH" >&2; exit 1; }
rounds=${1:-3}
ci_server progcache-ci
cd "$work"

job() { # the CI job's go commands, with GOCACHE=$1; prints the job's wall time in ms
  local t0 t1
  t0=$(date +%s%N)
  # START: a relay to start the daemon with, in the background, as the CI recipe does
  [ -n "${START:-}" ] && { "$START" --start >/dev/null 2>&1 & }
  GOCACHE=$1 go build std >&2
  GOCACHE=$1 go vet fmt strings bufio >&2
  GOCACHE=$1 go test -count=1 -run 'TestReader|TestBuilder' strings >&2
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
# runner LABEL PROGRAM: a fresh directory (and socket directory: a new daemon) through PROGRAM
runner() {
  local d="$work/$1"
  mkdir -p "$d"
  GOCACHEPROG="$2 --dir $d/cache --remote $url" PROGCACHE_SOCKET_DIR="$work/sock-$1" START="${3:-}" \
    job "$d/gocache" 2>>"$work/job.log"
}

echo "machine: $(nproc) cores; $(go version); $(date -u +%Y-%m-%dT%H:%MZ); server $url"
echo "filling the server and go's own cache (cold builds)..."
PROGCACHE_REMOTE_DRAIN=120s cold_build runner fill "$pc" >/dev/null
cold_build job "$work/plain" >/dev/null 2>&1
job "$work/plain" >/dev/null 2>&1
declare -a plain oneshot relayed ahead
for r in $(seq "$rounds"); do
  plain+=("$(job "$work/plain" 2>/dev/null)")
  oneshot+=("$(runner "one-$r" "$pc")")
  relayed+=("$(runner "relay-$r" "$relay")")
  ahead+=("$(runner "ahead-$r" "$relay" "$relay")")
  echo "round $r: go's warm ${plain[-1]} ms, one-shot fresh ${oneshot[-1]} ms, relay + new daemon fresh ${relayed[-1]} ms, daemon started ahead ${ahead[-1]} ms"
done
p=$(median "${plain[@]}")
o=$(median "${oneshot[@]}")
q=$(median "${relayed[@]}")
a=$(median "${ahead[@]}")
echo
echo "CI job (go build std; go vet fmt strings bufio; go test strings), medians of $rounds:"
awk -v p="$p" -v o="$o" -v q="$q" -v a="$a" 'BEGIN {
  printf "  go'"'"'s own warm cache           %6d ms   1.00x\n", p
  printf "  fresh dir, one-shot helper     %6d ms   %.2fx go'"'"'s warm\n", o, o / p
  printf "  fresh dir, relay + new daemon  %6d ms   %.2fx go'"'"'s warm\n", q, q / p
  printf "  the same, daemon started ahead %6d ms   %.2fx go'"'"'s warm (progcache-relay --start &)\n", a, a / p }'
