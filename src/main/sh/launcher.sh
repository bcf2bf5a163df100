#!/bin/sh
# progcache launcher, made by the build (src/main/sh/make-dist.sh).
# Runs the progcache jar beside it on a JDK >= 25 with the AOT cache trained at
# build time. JVM messages go to stderr only: stdout belongs to the protocol.
# Java: the JDK found at build time, or in a bundle its runtime/ directory; else a JDK >= 25
# from JAVA_HOME, PATH, then PROGCACHE_JDK_SEARCH_DIR (default /usr/lib/jvm).
# PROGCACHE_JAVA_OPTS adds JVM options (e.g. -Xmx); options the JVM refuses are dropped, with one line.
lib=@LIB@
java=@JAVA@
built_java="$java"
case "$0" in
  */*) self="$0" ;;
  *) self=$(command -v "$0") ;;
esac
if [ ! -f "$lib/progcache.jar" ]; then
  # a bundle, or moved since the build: find the jar beside this script
  d=$(dirname "$(readlink -f "$self")")
  lib="$d/../lib"
  java="$d/../runtime/bin/java" # the bundled runtime, when there is one
fi
if [ ! -x "$java" ] || { [ -n "${PROGCACHE_JDK_SEARCH_DIR:-}" ] && [ "$java" = "$built_java" ]; }; then
  . "$lib/find-jdk.sh"
  if ! h=$(progcache_find_jdk); then
    echo "progcache: no JDK >= 25 found (looked at JAVA_HOME, java on PATH, ${PROGCACHE_JDK_SEARCH_DIR:-/usr/lib/jvm}/*); install JDK 25 or set JAVA_HOME" >&2
    exit 127
  fi
  java="$h/bin/java"
fi
aot=
[ -f "$lib/progcache.aot" ] && aot=1
case "${1:-}" in
  serve)
    # a long-running server: full JIT, no start-up tuning. Lean (ADR 0020): a young generation
    # of 8 MiB (the heap still grows with what the stores index), small platform stacks, a
    # smaller code cache, glibc's freed memory returned every second and two malloc arenas.
    # The peak came from C2 itself: it inlined the GET path into one 28 MB compilation. C2 gives
    # up on a method past 16 MB (C1's code stays; its callees are compiled on their own).
    # 64 connections of small GETs, peak RSS: 194 MB with the JVM's defaults, 124-137 MB with
    # the flags before the last two, 117-119 MB with these, at the same rate and p99 (ADR 0020).
    export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
    aot=
    jit="-Xmn8m -Xss256k -XX:ReservedCodeCacheSize=48m -XX:TrimNativeHeapInterval=1000
      -XX:CompileCommand=quiet -XX:CompileCommand=MemLimit,*.*,16M" ;;
  daemon)
    # resident, a small bounded heap, C1 only: C2's compiles cost more CPU than they save here
    # (hashing is native). Daemon CPU on warm go build std, measured side by side (ADR 0025):
    # first build 291 ms with C1 only vs 391 ms with C2, then 71 vs 88, then 53 vs 75 ms per build
    jit="-Xmx96m -XX:TieredStopAtLevel=1" ;;
  conform)
    # a test driver that may run for minutes (--bench): full JIT
    jit= ;;
  *)
    # one-shot: C1 only. C1 hashes puts slowly (no sha256 intrinsic), but measured side by side
    # (bench/build.sh) C2's compile threads cost go more: cold std 0.99x vs 1.05x, warm 1.59x
    # vs 2.04x, handshake 68 vs 75 ms
    # Two methods are never compiled: HttpURLConnection.getInputStream0 (a fresh directory calls it
    # ~130 times, and C1 spent 84 ms inlining it) and the class-file API that the first native
    # call and new method handles spin classes with (run a few times per session). Measured on
    # fresh-directory builds: helper CPU -90 ms (ADR 0015). "quiet" first: stdout is go's.
    jit="-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:CompileCommand=quiet
      -XX:CompileCommand=exclude,sun.net.www.protocol.http.HttpURLConnection::getInputStream0
      -XX:CompileCommand=exclude,jdk.internal.classfile.*::*" ;;
esac
# Runs the JVM: "$1" is exec or empty, "$2" the user's JVM options, the rest progcache's arguments.
# stdout is go's protocol stream: the VM's own output (a crash report included) goes to stderr,
# and a crash log to the temp directory rather than into the user's module. No globbing: the
# options split into words, and the method patterns above hold '*'.
jvm() {
  how=$1
  user=$2
  shift 2
  if [ "${1:-}" = serve ]; then
    $how "$java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC $jit \
      -Xlog:disable -Xlog:all=warning:stderr \
      $user ${started:+"-Dprogcache.started=$started"} -Dprogcache.launcher="$self" -Dprogcache.build=@BUILD@ \
      -cp "$lib/progcache.jar" dev.progcache.cli.Main "$@"
  else
    $how "$java" ${aot:+"-XX:AOTCache=$lib/progcache.aot"} --enable-native-access=ALL-UNNAMED $jit -XX:+UseSerialGC -XX:-UsePerfData -Xss512k \
      -Xlog:disable -Xlog:all=warning:stderr -XX:+DisplayVMOutputToStderr -XX:ErrorFile="${TMPDIR:-/tmp}/progcache-hs_err_pid%p.log" \
      $user ${started:+"-Dprogcache.started=$started"} -Dprogcache.launcher="$self" -Dprogcache.build=@BUILD@ \
      -cp "$lib/progcache.jar" dev.progcache.cli.Main "$@"
  fi
}
set -f
started=
# Without PROGCACHE_JAVA_OPTS: one exec, as ever. With it, a JVM that does not start (a bad
# option) must not fail the go command: the JVM runs as a child with a marker file that
# progcache's main deletes first thing; a marker still there after the JVM exited means the JVM
# never ran progcache, so it runs again without the options, after one line saying so.
if [ -z "${PROGCACHE_JAVA_OPTS:-}" ] \
    || ! started=$(mktemp "${TMPDIR:-/tmp}/progcache-start.XXXXXX" 2>/dev/null); then
  started=
  jvm exec "${PROGCACHE_JAVA_OPTS:-}" "$@"
fi
# The child gets go's stdin (a background job's would be /dev/null) and the signals sent to
# this script (TERM for INT and HUP too: a background job ignores INT, and so would the JVM).
exec 3<&0
jvm exec "$PROGCACHE_JAVA_OPTS" "$@" 0<&3 3<&- &
pid=$!
exec 3<&-
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT HUP
# Once the JVM runs progcache (its main deletes the marker first thing), this shell lets go of its
# copy of stdout: go reads the answers until every copy of that pipe is closed, and would wait for
# the JVM's exit (uploads drained after close, housekeeping) rather than for its close. Measured:
# a fresh directory's go build std took ~400 ms longer with PROGCACHE_JAVA_OPTS set than without.
while [ -e "$started" ] && kill -0 "$pid" 2>/dev/null; do
  sleep 0.01
done
[ -e "$started" ] || exec >/dev/null
while :; do
  wait "$pid"
  rc=$?
  kill -0 "$pid" 2>/dev/null || break # a signal ended the wait, not the JVM
done
trap - TERM INT HUP
if [ ! -e "$started" ]; then
  exit "$rc"
fi
rm -f "$started"
started=
# the value is not repeated: it may hold a password (a trust store's); the JVM named the option
echo "progcache: PROGCACHE_JAVA_OPTS: the JVM did not start with these options (its message is above); starting without them; correct or unset PROGCACHE_JAVA_OPTS" >&2
jvm exec "" "$@"
