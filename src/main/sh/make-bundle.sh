#!/bin/sh
# Makes the self-contained archive progcache-VERSION-linux-ARCH.tar.gz from a laid-out DIST
# (see make-dist.sh): a jlink runtime holding only the modules progcache needs (found with
# jdeps), the launcher, the relay when it was built, an AOT cache trained on that runtime, the
# deploy files (CI recipes, service files) and the licences with the SBOM (legal/). Unpacked
# anywhere, it runs without a JDK on the machine. Also written as progcache-linux-ARCH.tar.gz.
# Usage: make-bundle.sh DIST VERSION OUTDIR
set -eu
dist=$1
version=$2
out=$3
src=$(cd "$(dirname "$0")" && pwd)
. "$src/find-jdk.sh"
jdk=$(progcache_find_jdk) || { echo "make-bundle: no JDK >= 25 found" >&2; exit 1; }
arch=$(uname -m)
case "$arch" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; esac
name="progcache-$version-linux-$arch"
stage="$out/bundle/$name"
rm -rf "$out/bundle"
mkdir -p "$stage/bin" "$stage/lib" "$stage/legal"

# Modules: what jdeps finds in the jar, plus providers found only at run time by service
# lookup (TLS elliptic curves, DNS through JNDI, Unsafe for lz4 and friends). java.desktop is
# not among them: the build leaves out of the jar the few library classes that need it and are
# never loaded (Jetty's AWT leak preventers, Micrometer's Log4j2 binder; see pom.xml).
mods=$("$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 \
  "$dist/lib/progcache.jar")
mods="$mods,jdk.crypto.ec,jdk.unsupported,java.naming,jdk.naming.dns"
echo "$mods" >"$stage/lib/modules.txt"
# Uncompressed modules: gzip over the archive compresses them better than jlink's zip (archive
# 53 MB instead of 60 MB, measured), and the JVM reads classes without inflating them.
"$jdk/bin/jlink" --add-modules "$mods" --strip-debug --no-man-pages --no-header-files \
  --compress=zip-0 --output "$stage/runtime"

cp "$dist/lib/progcache.jar" "$dist/lib/find-jdk.sh" "$stage/lib/"
# The launcher with no baked paths: it finds lib/ beside itself and prefers runtime/.
build=$(sha256sum "$stage/lib/progcache.jar" | cut -c1-16)
sed -e "s#@LIB@#''#" -e "s#@JAVA@#''#" -e "s#@BUILD@#$build#" "$src/launcher.sh" >"$stage/bin/progcache"
chmod +x "$stage/bin/progcache"
[ -x "$dist/bin/progcache-relay" ] && cp "$dist/bin/progcache-relay" "$stage/bin/"
# Licences: ours, the notices merged into the jar, each library's own licence and notice
# files, and the bill of materials (component, version, hashes, licence) made by the build.
top="$src/../../.."
cp "$top/LICENSE" "$top/NOTICE" "$stage/legal/"
(cd "$out/bundle" && "$jdk/bin/jar" xf "$stage/lib/progcache.jar" META-INF/NOTICE &&
  mv META-INF/NOTICE "$stage/legal/NOTICE-libraries" && rmdir META-INF)
legal="$out/legal"
[ -f "$legal/sbom.cyclonedx.json" ] && [ -d "$legal/third-party" ] ||
  { echo "make-bundle: no $legal/sbom.cyclonedx.json or $legal/third-party (run through ./mvnw package)" >&2; exit 1; }
cp "$legal/sbom.cyclonedx.json" "$stage/legal/"
cp -R "$legal/third-party" "$stage/legal/third-party"
find "$stage/legal/third-party" -type d -empty -delete
# What a team deploys with: the CI recipes (the shell runner included), the service files.
mkdir -p "$stage/deploy"
for d in ci systemd container kubernetes; do cp -R "$top/deploy/$d" "$stage/deploy/"; done

. "$src/train-aot.sh"
progcache_train "$stage/bin/progcache" "$stage/lib/progcache.aot" "$out/bundle/train.log" ||
  { echo "make-bundle: training failed:" >&2; cat "$out/bundle/train.log" >&2; exit 1; }

tar -C "$out/bundle" -czf "$out/$name.tar.gz" "$name"
# what the tests on the trimmed runtime run (pom.xml, profile on-bundled-runtime)
ln -sfn "$name" "$out/bundle/current"
# The same archive under a name without the version, for download links and CI recipes.
ln -f "$out/$name.tar.gz" "$out/progcache-linux-$arch.tar.gz"
echo "make-bundle: $out/$name.tar.gz, also $out/progcache-linux-$arch.tar.gz ($(du -h "$out/$name.tar.gz" | cut -f1); modules $mods)"
