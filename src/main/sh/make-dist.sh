#!/bin/sh
# Lays out a runnable progcache under DIST: bin/progcache (launcher),
# lib/progcache.jar, lib/find-jdk.sh, and lib/progcache.aot, an AOT cache made
# by a training run (JEP 483/514) on the JDK that will run it.
# Usage: make-dist.sh JAR DIST
set -eu
jar=$1
dist=$2
src=$(cd "$(dirname "$0")" && pwd)
. "$src/find-jdk.sh"
jdk=$(progcache_find_jdk) || { echo "make-dist: no JDK >= 25 found" >&2; exit 1; }

rm -rf "$dist"
mkdir -p "$dist/bin" "$dist/lib"
cp "$jar" "$dist/lib/progcache.jar"
cp "$src/find-jdk.sh" "$dist/lib/find-jdk.sh"
lib=$(cd "$dist/lib" && pwd)
sed -e "s#@LIB@#'$lib'#" -e "s#@JAVA@#'$jdk/bin/java'#" "$src/launcher.sh" >"$dist/bin/progcache"
chmod +x "$dist/bin/progcache"

# Training: same flags as the launcher, so the cache is accepted at run time.
if PROGCACHE_JAVA_OPTS="-XX:AOTCacheOutput=$lib/progcache.aot" \
    "$dist/bin/progcache" __train 3 >"$dist/lib/train.log" 2>&1; then
  echo "make-dist: AOT cache $(du -h "$lib/progcache.aot" | cut -f1) in $lib/progcache.aot"
else
  echo "make-dist: training run failed; progcache will run without an AOT cache:" >&2
  cat "$dist/lib/train.log" >&2
  rm -f "$lib/progcache.aot"
fi
