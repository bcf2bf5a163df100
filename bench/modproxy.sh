#!/bin/sh
# Benchmark of the module proxy (`progcache serve --modproxy`), on loopback only. Not a test:
# prints numbers. A graph of MODULES (default 50) small modules in GOPROXY layout is served as
# static files by a local upstream (python3's http.server); a module requiring all of them is
# downloaded (`go mod download all`) with a fresh GOMODCACHE each time:
#  - directly from the upstream, and from a warm serve (which fetched everything once before);
#  - the same with the upstream 20 ms away (LatencyProxy from the test classes, per request),
#    plus a cold serve in front of the far upstream (every file fetched through it once).
# For each: wall time (median of RUNS) and the upstream requests the timed runs made.
# Then the fresh-runner job, what a CI user feels: `go mod download`, `go build ./...` and
# `go test ./...` of that module with a fresh GOMODCACHE and a fresh build directory, modules and
# build cache (GOCACHEPROG, --remote) from a warm serve 20 ms away, against the same job on a
# warm machine (warm GOMODCACHE and go's own warm GOCACHE), and beside them the floor: the same
# job with no network at all (modules from a file:// proxy on this disk, the build cache a timed
# cp -r of the warm machine's). DOWNLOAD_PROCS=N runs the download step with GOMAXPROCS=N: go
# fetches modules GOMAXPROCS at a time. PART=download or PART=job runs one part.
# Usage: bench/modproxy.sh [runs]      (build first: ./mvnw -q -B package -DskipTests)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
. "$root/src/main/sh/find-jdk.sh"
jdk=$(progcache_find_jdk) || { echo "bench: no JDK >= 25 found" >&2; exit 1; }
pc="$root/target/progcache/bin/progcache"
[ -x "$pc" ] || { echo "bench: $pc missing; run ./mvnw -q package -DskipTests first" >&2; exit 1; }
[ -f "$root/target/test-classes/dev/progcache/testing/LatencyProxy.class" ] || { echo "bench: test classes missing" >&2; exit 1; }
go=${GO:-$(command -v go || echo /opt/progcache-go/usr/lib/go-1.27/bin/go)}
runs=${1:-3}
modules=${MODULES:-50}
work=$(mktemp -d /tmp/progcache-bench.XXXXXX)
pids=
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM

# the module graph: bench.test/mNN v1.0.0 and v1.1.0, each v1.1.0 requiring the next module
python3 - "$work/upstream" "$work/app" "$modules" <<'PY'
import os, sys, zipfile
up, app, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(1, n + 1):
    path = "bench.test/m%02d" % i
    d = os.path.join(up, path, "@v")
    os.makedirs(d, exist_ok=True)
    vs = ["v1.0.0", "v1.1.0"]
    open(os.path.join(d, "list"), "w").write("\n".join(vs) + "\n")
    for v in vs:
        req = "\nrequire bench.test/m%02d v1.0.0\n" % (i + 1) if v == "v1.1.0" and i < n else ""
        gomod = "module %s\n\ngo 1.21\n%s" % (path, req)
        open(os.path.join(d, v + ".info"), "w").write('{"Version":"%s","Time":"2024-01-02T03:04:05Z"}\n' % v)
        open(os.path.join(d, v + ".mod"), "w").write(gomod)
        with zipfile.ZipFile(os.path.join(d, v + ".zip"), "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("%s@%s/go.mod" % (path, v), gomod)
            for f in range(8):  # a few kilobytes of source per module
                z.writestr("%s@%s/f%d.go" % (path, v, f), "package m%02d\n\n// F%d is filler.\nvar F%d = \"%s\"\n" % (i, f, f, "x" * 2000))
os.makedirs(app, exist_ok=True)
reqs = "".join("\tbench.test/m%02d v1.1.0\n" % i for i in range(1, n + 1))
open(os.path.join(app, "go.mod"), "w").write("module bench.test/app\n\ngo 1.21\n\nrequire (\n%s)\n" % reqs)
imports = "".join('\t"bench.test/m%02d"\n' % i for i in range(1, n + 1))
uses = " + ".join("len(m%02d.F0)" % i for i in range(1, n + 1))
open(os.path.join(app, "main.go"), "w").write("package main\n\nimport (\n%s)\n\nfunc Total() int { return %s }\n\nfunc main() { println(Total()) }\n" % (imports, uses))
open(os.path.join(app, "main_test.go"), "w").write("package main\n\nimport \"testing\"\n\nfunc TestTotal(t *testing.T) {\n\tif Total() != %d {\n\t\tt.Fatal(Total())\n\t}\n}\n" % (2000 * n))
PY

port_of() { sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$1" | head -1; }
# the upstream: static files, one log line per request on stderr
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$work/upstream" >"$work/upstream.out" 2>"$work/upstream.log" &
pids="$pids $!"
i=0; until grep -q 'Serving HTTP' "$work/upstream.out" 2>/dev/null; do i=$((i+1)); [ $i -gt 100 ] && exit 1; sleep 0.1; done
upport=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$work/upstream.out")
upstream="http://127.0.0.1:$upport/"
"$jdk/bin/java" -cp "$root/target/test-classes" dev.progcache.testing.LatencyProxy "$upport" 20 256 >"$work/far.out" &
pids="$pids $!"
i=0; until grep -q 'listening on' "$work/far.out" 2>/dev/null; do i=$((i+1)); [ $i -gt 300 ] && exit 1; sleep 0.1; done
far=$(sed -n 's/listening on //p' "$work/far.out")

serve() { # NAME UPSTREAM: a server with the module proxy; sets $url
  "$pc" serve --listen 127.0.0.1:0 --dir "$work/$1" --no-access-log --modproxy "$2" 2>"$work/$1.log" &
  pids="$pids $!"
  url=$(await_url "$work/$1.log") || exit 1
}
upreqs() { grep -c '"GET ' "$work/upstream.log" || true; }
now() { date +%s%N; }
n=0
download() { # GOPROXY: a fresh GOMODCACHE downloads the graph; prints ms
  n=$((n + 1))
  t0=$(now)
  (cd "$work/app" && GOPROXY="$1" GOSUMDB=off GOFLAGS=-modcacherw GOMODCACHE="$work/mc$n" \
    GOPATH="$work/gopath" GOCACHE="$work/gocache" GOTOOLCHAIN=local GOTELEMETRY=off GOENV=off \
    GOPRIVATE= GONOPROXY= GONOSUMDB= "$go" mod download all) 2>"$work/go.err" || { cat "$work/go.err" >&2; exit 1; }
  t1=$(now)
  rm -rf "$work/mc$n"
  echo $(( (t1 - t0) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() { # LABEL GOPROXY: RUNS timed downloads; prints a row
  before=$(upreqs)
  ms=$(for r in $(seq "$runs"); do download "$2"; done | median)
  after=$(upreqs)
  printf '| %s | %s ms | %s |\n' "$1" "$ms" "$(( (after - before) / runs ))"
}

part=${PART:-all}
# the module's go.sum, as a repository would hold it (written by go, from the upstream)
(cd "$work/app" && GOPROXY="$upstream" GOSUMDB=off GOFLAGS=-modcacherw GOMODCACHE="$work/sum-mc" \
  GOPATH="$work/gopath" GOTOOLCHAIN=local GOTELEMETRY=off GOENV=off GOPRIVATE= GONOPROXY= GONOSUMDB= \
  "$go" mod download all) || exit 1
rm -rf "$work/sum-mc"
serve near "$upstream"; near=$url
if [ "$part" != job ]; then
download "${near}mod" >/dev/null # warm: the server fetches every file once
serve farwarm "$far"; farwarm=$url
download "${farwarm}mod" >/dev/null

echo "machine: $(nproc) cores; $("$go" version); $(date -u +%Y-%m-%dT%H:%MZ); $modules modules, $runs runs each (median)"
echo "| fresh GOMODCACHE, go mod download all | wall | upstream requests per run |"
echo "|---|---:|---:|"
measure "directly from the local upstream" "$upstream"
measure "from a warm serve (upstream local)" "${near}mod"
measure "directly from the upstream 20 ms away" "$far"
measure "from a warm serve (upstream 20 ms away)" "${farwarm}mod"
coldms=
for r in $(seq "$runs"); do
  serve "farcold$r" "$far"
  before=$(upreqs)
  coldms="$coldms $(download "${url}mod")"
  coldreq=$(( $(upreqs) - before ))
done
printf '| from a cold serve (upstream 20 ms away) | %s ms | %s |\n' "$(echo $coldms | tr ' ' '\n' | median)" "$coldreq"
fi
[ "$part" = download ] && exit 0

# the fresh-runner job: `go mod download && go build ./... && go test ./...`
job() { # NAME GOPROXY GOMODCACHE GOCACHE [GOCACHEPROG [PREFETCH_DIR [AHEAD]]]: prints ms; each
  # step's ms in $work/NAME.steps. With PREFETCH_DIR, `progcache mod prefetch` fills it first (timed
  # with the download step) and go downloads through GOPROXY=file://PREFETCH_DIR,GOPROXY. With
  # AHEAD, `progcache prefetch` (GOCACHEPROG's flags) runs in the background from the job's start;
  # the build step waits for it first. With START (a relay), `$START --start` starts its daemon
  # in the background at the job's start, as the CI recipe does
  t0=$(now)
  (cd "$work/app" && export GOPROXY="$2" GOSUMDB=off GOFLAGS=-modcacherw GOMODCACHE="$3" GOCACHE="$4" \
    GOCACHEPROG="${5:-}" GOPATH="$work/gopath" GOTOOLCHAIN=local GOTELEMETRY=off GOENV=off \
    GOPRIVATE= GONOPROXY= GONOSUMDB= &&
    a=$(now) &&
    if [ -n "${START:-}" ]; then "$START" --start >/dev/null 2>&1 & fi &&
    if [ -n "${7:-}" ]; then "$pc" prefetch ${5#"$pc "} 2>"$work/$1.ahead" & fi &&
    if [ -n "${6:-}" ]; then GOPROXY=$("$pc" mod prefetch --proxy "$2" --dir "$6" --go-sum go.sum); fi &&
    env ${DOWNLOAD_PROCS:+GOMAXPROCS=$DOWNLOAD_PROCS} "$go" mod download && b=$(now) && { wait || true; } &&
    "$go" build ./... && c=$(now) && "$go" test ./... && d=$(now) &&
    echo "$(( (b - a) / 1000000 )) $(( (c - b) / 1000000 )) $(( (d - c) / 1000000 ))" >"$work/$1.steps") \
    >"$work/$1.out" 2>&1 || { cat "$work/$1.out" >&2; exit 1; }
  t1=$(now)
  echo $(( (t1 - t0) / 1000000 ))
}
steps() { # PREFIX: the median of each step over the runs named PREFIX1..PREFIXn
  for k in 1 2 3; do
    for r in $(seq "$runs"); do cut -d' ' -f$k "$work/$1$r.steps"; done | median
  done | tr '\n' ' '
}
serve team "$upstream"; team=$url
teamport=$(echo "$team" | sed 's/.*:\([0-9]*\)\/$/\1/')
"$jdk/bin/java" -cp "$root/target/test-classes" dev.progcache.testing.LatencyProxy "$teamport" 20 256 >"$work/teamfar.out" &
pids="$pids $!"
i=0; until grep -q 'listening on' "$work/teamfar.out" 2>/dev/null; do i=$((i+1)); [ $i -gt 300 ] && exit 1; sleep 0.1; done
teamfar=$(sed -n 's/listening on //p' "$work/teamfar.out")
echo "warming: a first job fills the team server (modules and build cache) and the warm machine..."
# every runner uses the same paths, as CI runners do: without -trimpath, go's action IDs include
# the module cache's path, so a runner with another GOMODCACHE path would miss every module package
runner() { rm -rf "$work/runner-mc" "$work/runner-gocache" "$work/runner-cache"; }
job warmup "${team}mod" "$work/runner-mc" "$work/runner-gocache" "$pc --dir $work/runner-cache --remote $team" >/dev/null
job warmmachine "${team}mod" "$work/warm-mc" "$work/warm-gocache" >/dev/null
warm=$(for r in $(seq "$runs"); do job "warm$r" "${team}mod" "$work/warm-mc" "$work/warm-gocache"; done | median)
# the floor: no network at all. Modules from the upstream's files on this disk (GOPROXY=file://),
# the build cache a copy of the warm machine's (cp -r, timed with the job): what a fresh runner
# would take if both caches were local files to copy. It downloads into the warm machine's module
# cache path (moved aside; no later job uses it), since that path is in the copied cache's ids
mv "$work/warm-mc" "$work/warm-mc.kept"
floor=$(for r in $(seq "$runs"); do
  rm -rf "$work/warm-mc" "$work/floor-gocache"
  t0=$(now); cp -r "$work/warm-gocache" "$work/floor-gocache"
  job "floor$r" "file://$work/upstream" "$work/warm-mc" "$work/floor-gocache" >/dev/null
  echo $(( ($(now) - t0) / 1000000 ))
done | median)
fresh=$(for r in $(seq "$runs"); do
  runner
  job "fresh$r" "${teamfar}mod" "$work/runner-mc" "$work/runner-gocache" "$pc --dir $work/runner-cache --remote $teamfar"
done | median)
prefetched=$(for r in $(seq "$runs"); do
  runner; rm -rf "$work/runner-modpf"
  job "modpf$r" "${teamfar}mod" "$work/runner-mc" "$work/runner-gocache" \
    "$pc --dir $work/runner-cache --remote $teamfar" "$work/runner-modpf"
done | median)
ahead=$(for r in $(seq "$runs"); do
  runner; rm -rf "$work/runner-modpf"
  job "ahead$r" "${teamfar}mod" "$work/runner-mc" "$work/runner-gocache" \
    "$pc --dir $work/runner-cache --remote $teamfar" "$work/runner-modpf" ahead
done | median)
relayed=
recipe=
relay="$root/target/progcache/bin/progcache-relay"
if [ -x "$relay" ]; then
  relayed=$(for r in $(seq "$runs"); do
    runner
    export PROGCACHE_SOCKET_DIR="$work/sock-$r" # a new daemon per runner
    job "relay$r" "${teamfar}mod" "$work/runner-mc" "$work/runner-gocache" \
      "$relay --dir $work/runner-cache --remote $teamfar"
    "$pc" daemon stop >/dev/null 2>&1 || true
  done | median)
  # what deploy/ci/shell-runner.sh does: the daemon started at the job's start, mod prefetch,
  # progcache prefetch in the background
  recipe=$(for r in $(seq "$runs"); do
    runner; rm -rf "$work/runner-modpf"
    export PROGCACHE_SOCKET_DIR="$work/sock-recipe-$r"
    START="$relay" job "recipe$r" "${teamfar}mod" "$work/runner-mc" "$work/runner-gocache" \
      "$relay --dir $work/runner-cache --remote $teamfar" "$work/runner-modpf" ahead
    "$pc" daemon stop >/dev/null 2>&1 || true
  done | median)
fi
echo "| the job: go mod download, go build ./..., go test ./... | wall | download, build, test (ms) |"
echo "|---|---:|---|"
echo "| warm machine (warm GOMODCACHE and GOCACHE) | $warm ms | $(steps warm)|"
echo "| floor: modules from a file:// proxy on this disk, cp -r of the warm GOCACHE (copy timed) | $floor ms | $(steps floor)|"
echo "| fresh runner, team server 20 ms away (modules + build cache), one-shot | $fresh ms | $(steps fresh)|"
grep -h "mod prefetch:" "$work"/modpf*.out | sed 's/^/  /' >&2
echo "| the same, \`progcache mod prefetch\` before \`go mod download\` | $prefetched ms | $(steps modpf)|"
grep -h "progcache prefetch:" "$work"/ahead*.ahead | sed 's/^/  /' >&2
echo "| the same, and \`progcache prefetch\` in the background from the job's start | $ahead ms | $(steps ahead)|"
[ -n "$relayed" ] && echo "| fresh runner through the relay, a new daemon per runner (no prefetch steps) | $relayed ms | $(steps relay)|"
[ -n "$relayed" ] && echo "| the CI recipe's way: relay, daemon started at the job's start, both prefetches | $recipe ms | $(steps recipe)|"
awk -v f="$fresh" -v q="${relayed:-0}" -v w="$warm" -v fl="$floor" -v pf="$prefetched" -v ah="$ahead" -v rc="${recipe:-0}" 'BEGIN {
  printf "fresh / warm: one-shot %.2fx, with mod prefetch %.2fx, and prefetch ahead %.2fx; relay %.2fx, the recipe %.2fx (goal: at most 1.5x); the floor %.2fx\n", f / w, pf / w, ah / w, q / w, rc / w, fl / w }'
