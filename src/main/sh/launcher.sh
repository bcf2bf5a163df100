#!/bin/sh
# progcache launcher, made by the build (src/main/sh/make-dist.sh).
# Runs the progcache jar beside it on a JDK >= 25 with the AOT cache trained at
# build time. JVM messages go to stderr only: stdout belongs to the protocol.
# PROGCACHE_JAVA_OPTS adds JVM options (e.g. -Xmx); PROGCACHE_JDK_SEARCH_DIR
# replaces /usr/lib/jvm in the JDK search.
lib=@LIB@
java=@JAVA@
case "$0" in
  */*) self="$0" ;;
  *) self=$(command -v "$0") ;;
esac
if [ ! -f "$lib/progcache.jar" ]; then
  # moved since the build: find the jar beside this script
  d=$(dirname "$(readlink -f "$self")")
  lib="$d/../lib"
fi
if [ ! -x "$java" ] || [ -n "${PROGCACHE_JDK_SEARCH_DIR:-}" ]; then
  . "$lib/find-jdk.sh"
  if ! h=$(progcache_find_jdk); then
    echo "progcache: no JDK >= 25 found (looked at JAVA_HOME, java on PATH, ${PROGCACHE_JDK_SEARCH_DIR:-/usr/lib/jvm}/*); install JDK 25 or set JAVA_HOME" >&2
    exit 127
  fi
  java="$h/bin/java"
fi
aot=
[ -f "$lib/progcache.aot" ] && aot="-XX:AOTCache=$lib/progcache.aot"
case "${1:-}" in
  # resident: full JIT, a small bounded heap
  daemon) jit="-Xmx96m -XX:TieredStopAtLevel=4" ;;
  # a measuring client: full JIT, so that its own cost does not blur the helper's numbers
  conform) jit="-XX:TieredStopAtLevel=4" ;;
  # one-shot: start fast, C1 only
  *) jit="-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1" ;;
esac
exec "$java" $aot $jit -XX:+UseSerialGC -XX:-UsePerfData -Xss512k \
  -Xlog:disable -Xlog:all=warning:stderr \
  $PROGCACHE_JAVA_OPTS -Dprogcache.launcher="$self" -Dprogcache.build=@BUILD@ \
  -cp "$lib/progcache.jar" dev.progcache.cli.Main "$@"
