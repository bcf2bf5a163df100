# Sourced by mvnw, .ci/run and the progcache launcher: defines
# progcache_find_jdk, which prints the home of a JDK >= 25 and fails when none
# is found. Order: $JAVA_HOME, java on PATH, then $PROGCACHE_JDK_SEARCH_DIR
# (default /usr/lib/jvm), newest first.

progcache_java_major() { # <java binary> -> prints the feature version
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -1
}

progcache_jdk_ok() { # <jdk home>
  [ -x "$1/bin/java" ] || return 1
  v=$(progcache_java_major "$1/bin/java")
  [ -n "$v" ] && [ "$v" -ge 25 ]
}

progcache_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && progcache_jdk_ok "$JAVA_HOME"; then
    echo "$JAVA_HOME"; return 0
  fi
  if command -v java >/dev/null 2>&1; then
    j=$(command -v java)
    j=$(readlink -f "$j" 2>/dev/null || echo "$j")
    h=${j%/bin/java}
    if progcache_jdk_ok "$h"; then echo "$h"; return 0; fi
  fi
  for h in $(ls -d "${PROGCACHE_JDK_SEARCH_DIR:-/usr/lib/jvm}"/*/ 2>/dev/null | sort -rV); do
    h=${h%/}
    if progcache_jdk_ok "$h"; then echo "$h"; return 0; fi
  done
  return 1
}
