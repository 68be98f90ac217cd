#!/usr/bin/env bash
# Interleaved A/B/C rounds of the tap rows of slirp-vs-slirp4netns.sh, for a loaded machine where
# rows run one after the other meet different loads: each round runs jioth `slirp://` on a tap
# without offload, the same with tap://TAP/offload=1, and slirp4netns, all at MTU 1500, each in a
# fresh namespace (DHCP for jioth, --configure for slirp4netns), FETCHES timed 64 MiB fetches per
# row after 3 warm-ups, then ROUNDTRIPS 1-byte round trips. Needs root, udhcpc, slirp4netns.
# Usage: slirp-interleaved.sh [ROUNDS] [FETCHES] [ROUNDTRIPS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/.mvn/jdk25.sh"
java="$JAVA_HOME/bin/java"
rounds=${1:-3}
fetches=${2:-5}
roundtrips=${3:-2000}
http=18082
echo_port=18083
. "$here/slirp-lab.sh"
lab_start

client() { # namespace, label
  echo "== $2"
  timeout 300 ip netns exec "$1" "$java" -XX:+UseSerialGC "$here/SlirpBench.java" client 10.0.2.2 $http $echo_port "$fetches" "$roundtrips" | grep RESULT
}

jioth_row() { # round, tap options
  local ns=slirpil-j$1${2:+o}-$$ tap=sil$1${2:+o}$$ plug
  ip netns add "$ns"; namespaces+=("$ns")
  "$root/ioth" plug "slirp:///mtu=1500" "tap://$tap$2" > "$work/plug-$1${2:+-o}.log" 2>&1 &
  plug=$!
  pids+=($plug)
  lab_guest_tap "$ns" "$tap"
  client "$ns" "round $1: jioth slirp:///mtu=1500 tap://TAP$2"
  kill $plug; wait $plug 2>/dev/null || true
  ip netns del "$ns"
}

slirp4netns_row() { # round
  local ns=slirpil-s$1-$$ holder s4
  ip netns add "$ns"; namespaces+=("$ns")
  ip netns exec "$ns" sleep 100000 &
  holder=$!
  pids+=($holder)
  until [ "$(ip netns identify "$holder" 2>/dev/null)" = "$ns" ]; do sleep 0.05; done
  slirp4netns --configure --mtu=1500 "$holder" tap0 > "$work/slirp4netns-$1.log" 2>&1 &
  s4=$!
  pids+=($s4)
  until ip -n "$ns" addr show tap0 2>/dev/null | grep -q 10.0.2.100; do sleep 0.1; done
  client "$ns" "round $1: slirp4netns --configure --mtu=1500"
  kill $s4 $holder; wait $s4 $holder 2>/dev/null || true
  ip netns del "$ns"
}

"$root/ioth" help > /dev/null 2>&1 # build first if the sources changed
for r in $(seq "$rounds"); do
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  jioth_row "$r" ""
  jioth_row "$r" "/offload=1"
  slirp4netns_row "$r"
done
