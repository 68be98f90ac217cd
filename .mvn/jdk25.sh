# Sourced by ./mvnw and ./ioth: points JAVA_HOME at a JDK 25 or newer.
# Order: $JAVA_HOME if it is 25+, then the newest JDK 25+ under /usr/lib/jvm.
# POSIX sh on purpose (mvnw runs under /bin/sh).

jioth_java_feature() {
  # Prints the feature release of the JDK at $1 (e.g. 25), or nothing.
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  if [ -f "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"
  else
    "$1/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p'
  fi
}

jioth_find_jdk25() {
  if [ -n "${JAVA_HOME-}" ]; then
    v=$(jioth_java_feature "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then
      return 0
    fi
  fi
  best=""; bestv=0
  set +f  # mvnw runs with globbing off
  for d in /usr/lib/jvm/*; do
    [ -d "$d" ] || continue
    v=$(jioth_java_feature "$d")
    if [ -n "$v" ] && [ "$v" -ge 25 ] && [ "$v" -gt "$bestv" ]; then
      best=$d; bestv=$v
    fi
  done
  if [ -z "$best" ]; then
    echo "jioth needs a JDK 25 or newer, and none was found." >&2
    echo "  JAVA_HOME=${JAVA_HOME-<unset>} is not a JDK 25+, and /usr/lib/jvm has none." >&2
    echo "  Install one (Debian: apt-get install openjdk-25-jdk, or Temurin 25) or set JAVA_HOME to it." >&2
    exit 1
  fi
  JAVA_HOME=$best
  export JAVA_HOME
}

jioth_find_jdk25
