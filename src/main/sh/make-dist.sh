#!/bin/sh
# Lays out a runnable progcache under DIST: bin/progcache (launcher),
# lib/progcache.jar, lib/find-jdk.sh, and lib/progcache.aot, an AOT cache made
# by a training run (JEP 483/514) on the JDK that will run it.
# Then, unless PROGCACHE_BUNDLE=0, the self-contained archive (make-bundle.sh) in OUTDIR.
# Usage: make-dist.sh JAR DIST [VERSION OUTDIR]
set -eu
jar=$1
dist=$2
version=${3:-dev}
outdir=${4:-$(dirname "$dist")}
src=$(cd "$(dirname "$0")" && pwd)
. "$src/find-jdk.sh"
jdk=$(progcache_find_jdk) || { echo "make-dist: no JDK >= 25 found" >&2; exit 1; }

rm -rf "$dist"
mkdir -p "$dist/bin" "$dist/lib"
cp "$jar" "$dist/lib/progcache.jar"
cp "$src/find-jdk.sh" "$dist/lib/find-jdk.sh"
lib=$(cd "$dist/lib" && pwd)
# The build id names the daemon's socket, so relays and daemons of different builds never mix.
build=$(sha256sum "$dist/lib/progcache.jar" | cut -c1-16)
sed -e "s#@LIB@#'$lib'#" -e "s#@JAVA@#'$jdk/bin/java'#" -e "s#@BUILD@#$build#" \
  "$src/launcher.sh" >"$dist/bin/progcache"
chmod +x "$dist/bin/progcache"

# The native relay for daemon mode, when there is a C compiler.
cc=${CC:-cc}
if command -v "$cc" >/dev/null 2>&1; then
  "$cc" -O2 -Wall -Wextra -Werror -DPROGCACHE_BUILD_ID="\"$build\"" -DPROGCACHE_VERSION="\"$version\"" \
    -o "$dist/bin/progcache-relay" "$src/../c/progcache-relay.c"
  echo "make-dist: built bin/progcache-relay (daemon mode)"
else
  echo "make-dist: no C compiler ($cc): bin/progcache-relay not built; daemon mode unavailable, the one-shot helper works as usual"
fi

# Training: same flags as the launcher, so the cache is accepted at run time.
. "$src/train-aot.sh"
if progcache_train "$dist/bin/progcache" "$lib/progcache.aot" "$dist/lib/train.log"; then
  echo "make-dist: AOT cache $(du -h "$lib/progcache.aot" | cut -f1) in $lib/progcache.aot"
else
  echo "make-dist: training run failed; progcache will run without an AOT cache:" >&2
  cat "$dist/lib/train.log" >&2
  rm -f "$lib/progcache.aot"
fi

if [ "${PROGCACHE_BUNDLE:-1}" != 0 ]; then
  sh "$src/make-bundle.sh" "$dist" "$version" "$outdir"
fi
