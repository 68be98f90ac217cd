# Sourced by .ci/run: removes what a test run left behind even when tests failed or a test JVM was
# killed. Tests remove their own namespaces and peers in finally blocks; a JVM that dies cannot.
# Only what this run made is touched, so runs beside it on the same machine are safe:
# - processes still in this run's session (.ci/run starts the tests in a session of their own);
# - network namespaces the tests recorded in <module>/target/jioth-test-netns.txt
#   (org.jioth.testkit.NamespaceLedger) that still exist.

# Kills, by id, the processes left in session $1 other than this shell. Prints what it killed.
ci_kill_session() {
  local sid=$1 pid left
  left=$(ps -eo pid=,sid= | awk -v s="$sid" -v me="$$" '$2 == s && $1 != me && $1 != s { print $1 }')
  for pid in $left; do
    [ -d "/proc/$pid" ] || continue
    echo ".ci/run: killing leftover process $pid: $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-120)" >&2
    kill -KILL "$pid" 2>/dev/null || true
  done
}

# Deletes the namespaces listed in the ledgers under directory $1 that still exist.
ci_remove_recorded_namespaces() {
  local root=$1 ns
  local existing
  existing=$(ip netns list 2>/dev/null | awk '{ print $1 }')
  for ledger in "$root"/*/target/jioth-test-netns.txt; do
    [ -f "$ledger" ] || continue
    while read -r ns; do
      [ -n "$ns" ] || continue
      if printf '%s\n' "$existing" | grep -qxF -- "$ns"; then
        echo ".ci/run: removing leftover namespace $ns (made by a test, listed in $ledger)" >&2
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
      fi
    done < "$ledger"
  done
}
