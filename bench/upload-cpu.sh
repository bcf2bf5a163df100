#!/usr/bin/env bash
# What a cold build's uploads cost in CPU, without a minute of compiles per sample: replays the puts
# of a cold `go build $PKGS` (taken from go's own cache after that build) into the one-shot helper
# the way go sends them (bench/replay), salted so the loopback server sees new objects each time,
# in ROUNDS interleaved pairs: with the server as remote, and local only. Prints, per pair and as
# medians, the helper's CPU seconds (user + sys, bench/cpu-of.sh) and the server's over the replay,
# and what uploading adds to the helper's local-only CPU. The replay sends each put as soon as the
# previous one is answered: this measures CPU, not a build's wall time (bench/ci-path.sh does).
# Usage: bench/upload-cpu.sh [rounds]   (after ./mvnw -q package -DskipTests; needs go, python3)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
pc="$root/target/progcache/bin/progcache"
command -v go >/dev/null || { echo "bench: no go on PATH" >&2; exit 1; }
rounds=${1:-5}
pkgs=${PKGS:-std}
ci_server progcache-upcpu
replay=$("$root/bench/go-tool.sh" replay "$work")
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(go version); $(date -u +%Y-%m-%dT%H:%MZ); puts of a cold go build $pkgs"
warm_writes "$url"
cold_build env GOCACHE="$work/plain" go build $pkgs
srvcpu() { awk '{print $14 + $15}' "/proc/$srv_pid/stat"; } # clock ticks (the launcher execs java)
# one LABEL REMOTE-ARGS...: one replay into a new directory; prints "helper-cpu server-cpu" (s)
one() {
  local l=$1 d; shift
  d=$(mktemp -d "$work/rp.XXXXXX")
  local s0; s0=$(srvcpu)
  "$replay" "$work/plain" "salt-$l-$(date +%s%N)" -- "$root/bench/cpu-of.sh" "$work/$l.cpu" \
    "$pc" -v --prefetch=false --dir "$d" "$@" 2>"$work/$l.err"
  sleep 0.5 # the server's last writes
  local s1; s1=$(srvcpu)
  rm -rf "$d"
  echo "$(tail -1 "$work/$l.cpu" | awk -F, '{print $1 + $2}') $(( (s1 - s0) * 1000 / $(getconf CLK_TCK) ))"
}
declare -a hr sr hl added
for r in $(seq "$rounds"); do
  read -r h s <<<"$(one "remote-$r" --remote "$url")"
  read -r l _ <<<"$(one "local-$r")"
  grep -q "remote-uploads=" "$work/remote-$r.err" || { echo "bench: round $r uploaded nothing" >&2; exit 1; }
  hr+=("$h"); sr+=("$s"); hl+=("$l"); added+=("$(echo "$h $l" | awk '{printf "%.2f", $1 - $2}')")
  echo "   round $r: helper uploading $h s, local only $l s (uploads add ${added[-1]} s); server $(echo "$s" | awk '{print $1 / 1000}') s; $(grep -o 'remote-uploads=[0-9]*' "$work/remote-$r.err")"
done
echo "medians of $rounds: helper uploading $(median "${hr[@]}") s, local only $(median "${hl[@]}") s, uploads add $(median "${added[@]}") s; server $(median "${sr[@]}" | awk '{print $1 / 1000}') s"
