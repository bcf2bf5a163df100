#!/usr/bin/env bash
# The CI path (issue 26), each figure divided by go's own cache in the same run:
#  1. a cold build uploading to a loopback `progcache serve` (warmed first by helper traffic, as a
#     team's server is), ÷ go's own cold build, the helper's CPU seconds (user + sys of the
#     helper process) and the server's over the build (from /proc), and how long after go the
#     helper exited (go does not wait for it: the uploads it held while go kept the cores busy,
#     sent after close);
#  2. a fresh local directory against the warm server (one-shot, and relay + new daemon),
#     ÷ go's own warm build, in interleaved rounds; beside them "copy + go": `cp -r` of go's own
#     warm cache into a new directory, then go's warm build on the copy. No helper can fill a
#     fresh directory faster than a local copy of the same bytes: that is the floor here;
#  3. prefetch: the share of prefetched bytes unused by the second fresh build of the context,
#     and the bytes a warm directory prefetches and never uses after another build (a test) added
#     ids to the context's manifest (then builds cmd/gofmt there: PKGS should cover its
#     dependencies, as std does, for that directory to be warm for the build).
# Usage: bench/ci-path.sh [rounds]   (after ./mvnw -q package -DskipTests; needs go, python3)
# COLD_ROUNDS (default 1) pairs of cold builds (go's own, then progcache's), each pair against a
# server of its own: go's cold build alone moves by a fifth within an hour here, one pair cannot
# resolve 5 %. Before progcache's cold build its server serves WARM_REPLAYS (default 10) salted
# replays of go's puts through the helper (bench/replay; warm_replays in lib.sh), as a team's
# server has served many builds: a new one compiles for about ten builds' worth of them.
# PKGS (default std) is what the builds build. With std, the two cold builds take a minute or two
# each. Run it on a quiet machine whose file system had no large deletions for minutes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
pc="$root/target/progcache/bin/progcache"
relay="$root/target/progcache/bin/progcache-relay"
for t in "$relay" "$(command -v python3)"; do [ -x "$t" ] || { echo "bench: $t missing" >&2; exit 1; }; done
command -v go >/dev/null || { echo "bench: no go on PATH" >&2; exit 1; }
rounds=${1:-5}
pkgs=${PKGS:-std}
ci_server progcache-cipath
cd "$work"

ms() { echo $(( $(date +%s%N) / 1000000 )); }
# build GOCACHE CMD...: runs go CMD with GOCACHE, prints its wall time in ms
build() {
  local c=$1 t0; shift
  t0=$(ms)
  GOCACHE=$c go "$@" >&2
  echo $(( $(ms) - t0 ))
}
# helper LABEL PROGRAM CMD...: go CMD through PROGRAM with the local directory $work/LABEL (and the
# server at $url, unless LABEL starts with "local"), -v
# stats appended to $work/LABEL.err, the helper's user,sys CPU seconds and exit time to
# $work/LABEL.cpu (bench/cpu-of.sh: go does not wait for the helper's exit, and neither does the
# time printed), and how long after go the helper exited (its uploads drained) to $work/LABEL.after.
# Returns once the helper has exited, so that nothing of it runs into the next build.
helper() {
  local l=$1 d="$work/$1" p=$2 n0 t; shift 2
  mkdir -p "$d"
  touch "$work/$l.cpu"
  n0=$(wc -l <"$work/$l.cpu")
  local wrap="$root/bench/cpu-of.sh $work/$l.cpu"
  [ "$p" = "$relay" ] && wrap= # the relay's CPU is not the daemon's
  local remote="--remote $url"
  [ "${l#local}" != "$l" ] && remote= # local-*: no shared tier
  t=$(GOCACHEPROG="$wrap $p -v --dir $d/cache $remote" PROGCACHE_SOCKET_DIR="$work/sock-$l" \
    build "$d/gocache" "$@" 2>>"$work/$l.err")
  local gone=$(ms)
  if [ -n "$wrap" ]; then
    for _ in $(seq 6000); do [ "$(wc -l <"$work/$l.cpu")" -gt "$n0" ] && break; sleep 0.1; done
    echo $(( $(tail -1 "$work/$l.cpu" | cut -d, -f3) - gone )) >>"$work/$l.after"
  fi
  echo "$t"
}
cpu() { awk -F, '{u += $1; s += $2} END {printf "%.2f s (user %.2f, sys %.2f)", u + s, u, s}' "$work/$1.cpu"; }
count() { { grep -o "$2=[0-9]*" "$work/$1.err" || echo "=0"; } | tail -1 | cut -d= -f2; }

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(go version); $(date -u +%Y-%m-%dT%H:%MZ); go build $pkgs"
cold_rounds=${COLD_ROUNDS:-1}
warm_n=${WARM_REPLAYS:-10}
echo "1. cold builds, $cold_rounds round(s): go's own, then progcache uploading to a new loopback server (warmed first: 2,400 PUTs, then $warm_n salted replays of go's puts through the helper)..."
srvcpu() { awk '{print $14 + $15}' "/proc/$cold_pid/stat"; } # clock ticks (the launcher execs java)
extra_pid=
trap '[ -n "$extra_pid" ] && kill "$extra_pid" 2>/dev/null; ci_cleanup' EXIT INT TERM
# cold_round R: go's own cold build, then progcache's uploading to the server at $url; appends to
# the arrays gocolds and pccolds and prints the round's figures. The last round's directories stay
# (plain: go's warm cache for part 2; fill: the warm directory of part 3).
declare -a gocolds pccolds
cold_round() {
  local r=$1 sfx=; [ "$r" -lt "$cold_rounds" ] && sfx="-x$r"
  warm_writes "$url"
  gocolds+=("$(cold_build build "$work/plain$sfx" build $pkgs 2>/dev/null)")
  warm_replays "$url" "$work/plain$sfx" "$warm_n"
  local s0; s0=$(srvcpu)
  pccolds+=("$(cold_build helper "fill$sfx" "$pc" build $pkgs)")
  local srv=$(( ($(srvcpu) - s0) * 1000 / $(getconf CLK_TCK) ))
  printf '   round %d: go cold %d ms; progcache uploading %d ms = %.2fx go'"'"'s cold, its uploads done %d ms after go; helper CPU %s (%s uploads, %s held while the cores were busy); server CPU %.2f s\n' \
    "$r" "${gocolds[-1]}" "${pccolds[-1]}" "$(echo "${pccolds[-1]} ${gocolds[-1]}" | awk '{print $1 / $2}')" "$(tail -1 "$work/fill$sfx.after")" \
    "$(cpu "fill$sfx")" "$(count "fill$sfx" remote-uploads)" "$(count "fill$sfx" remote-upload-held)" "$(echo "$srv" | awk '{print $1 / 1000}')"
  [ -n "$sfx" ] && rm -rf "$work/plain$sfx" "$work/fill$sfx"
  return 0
}
main_url=$url
for r in $(seq "$cold_rounds"); do
  if [ "$r" -lt "$cold_rounds" ]; then # a server of its own: what it holds would make the next round warm
    "$pc" serve --listen 127.0.0.1:0 --dir "$work/srv-x$r" --no-access-log 2>"$work/serve-x$r.log" &
    extra_pid=$! cold_pid=$!
    url=$(await_url "$work/serve-x$r.log")
    cold_round "$r"
    kill "$extra_pid"; wait "$extra_pid" 2>/dev/null || true; extra_pid=; rm -rf "$work/srv-x$r"
    url=$main_url
  else
    cold_pid=$srv_pid
    cold_round "$r"
  fi
done
gocold=$(median "${gocolds[@]}")
pccold=$(median "${pccolds[@]}")
coldratio=$(median $(for i in "${!gocolds[@]}"; do echo "${pccolds[$i]} ${gocolds[$i]}" | awk '{print $1 / $2}'; done))
cold_build helper local-only "$pc" build $pkgs >/dev/null 2>&1 # for the CPU only
echo "   helper CPU of a cold build without a remote: $(cpu local-only)"
build "$work/plain" build $pkgs >/dev/null 2>&1

echo "2. fresh directory + warm server, $rounds interleaved rounds..."
declare -a plain oneshot relayed copied
for r in $(seq "$rounds"); do
  plain+=("$(build "$work/plain" build $pkgs 2>/dev/null)")
  sync
  t0=$(ms); cp -r "$work/plain" "$work/copy-$r"; build "$work/copy-$r" build $pkgs >/dev/null 2>&1
  copied+=("$(( $(ms) - t0 ))")
  oneshot+=("$(helper "one-$r" "$pc" build $pkgs)")
  relayed+=("$(helper "relay-$r" "$relay" build $pkgs)")
  echo "   round $r: go's warm ${plain[-1]} ms, copy + go ${copied[-1]} ms, one-shot fresh ${oneshot[-1]} ms ($(cpu "one-$r")), relay + new daemon fresh ${relayed[-1]} ms"
done
p=$(median "${plain[@]}"); o=$(median "${oneshot[@]}"); q=$(median "${relayed[@]}"); c=$(median "${copied[@]}")

echo "3. prefetch: a second fresh runner, then a warm directory after a test added to the manifest..."
sleep 2 # the rounds' manifest reports land
helper second "$pc" build $pkgs >/dev/null
helper fill "$pc" test -count=1 -run TestBuilder strings >/dev/null
sleep 2
helper one-1 "$pc" build -o "$work/gofmt" cmd/gofmt >/dev/null
pb=$(count second prefetch-bytes); pw=$(count second prefetch-wasted-bytes)

echo
echo "Results (ratios divide by go's own cache in this run; medians of $cold_rounds cold and $rounds warm rounds):"
awk -v gc="$gocold" -v pc="$pccold" -v cr="$coldratio" -v p="$p" -v o="$o" -v q="$q" -v c="$c" -v pb="${pb:-0}" -v pw="${pw:-0}" \
  -v ww="$(count one-1 prefetch-wasted-bytes)" -v wh="$(count one-1 prefetch-held)" 'BEGIN {
  printf "  1. cold build uploading         %7d ms   %.2fx go'"'"'s cold (%d ms; median of the rounds'"'"' ratios %.2fx)\n", pc, pc / gc, gc, cr
  printf "  2. floor: copy + go'"'"'s warm build %6d ms   %.2fx go'"'"'s warm (%d ms)\n", c, c / p, p
  printf "     fresh dir, one-shot          %7d ms   %.2fx go'"'"'s warm\n", o, o / p
  printf "     fresh dir, relay + new daemon %6d ms   %.2fx go'"'"'s warm\n", q, q / p
  printf "  3. second fresh build: %d of %d prefetched bytes unused (%.1f %%)\n", pw, pb, pb ? 100 * pw / pb : 0
  printf "     warm directory after a test: %d bytes prefetched unused, %d listed ids held back\n", ww, wh
  print  "  For context, go-cacher + go-cacher-server on these machines (issue 26): cold std 1.09x"
  print  "  go'"'"'s cold, fresh dir + warm server 3.00x go'"'"'s warm." }'
