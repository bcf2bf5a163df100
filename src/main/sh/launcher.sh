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
if [ "${1:-}" = serve ]; then
  # a long-running server: full JIT, default stacks, no start-up tuning
  exec "$java" -XX:+UseSerialGC -Xlog:disable -Xlog:all=warning:stderr \
    $PROGCACHE_JAVA_OPTS -Dprogcache.launcher="$self" \
    -cp "$lib/progcache.jar" dev.progcache.cli.Main "$@"
fi
aot=
[ -f "$lib/progcache.aot" ] && aot="-XX:AOTCache=$lib/progcache.aot"
exec "$java" $aot -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData \
  -Xss512k -XX:CICompilerCount=1 -Xlog:disable -Xlog:all=warning:stderr \
  $PROGCACHE_JAVA_OPTS -Dprogcache.launcher="$self" \
  -cp "$lib/progcache.jar" dev.progcache.cli.Main "$@"
