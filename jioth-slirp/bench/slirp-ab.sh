#!/usr/bin/env bash
# Same-run comparison of two jioth builds and Debian's slirp4netns and pasta, on a loaded machine:
# each round runs, one after the other, `ioth plug slirp:///mtu=1500 tap://TAP/offload=1` from
# build A (another checkout's root, e.g. main built from `git archive`) and from this checkout (B),
# slirp4netns --configure --mtu=1500, and pasta --config-net --mtu 1500 (if installed, as nobody);
# each jioth/slirp4netns row in a fresh namespace. FETCHES timed 64 MiB fetches per row after 3
# warm-ups, then ROUNDTRIPS 1-byte round trips (SlirpBench.java client). Needs root, udhcpc,
# slirp4netns. Usage: slirp-ab.sh ROOT_A [ROUNDS] [FETCHES] [ROUNDTRIPS]
# SLIRP_A and SLIRP_B replace each build's slirp VNL (default slirp:///mtu=1500), e.g. to compare
# options on one build: SLIRP_A=slirp:///mtu=1500/pacing=1 slirp-ab.sh . 4
# JAVA_A and JAVA_B set each build's plug JVM options (IOTH_JAVA_OPTS), e.g. TSO on in A on one
# build: JAVA_A=-Djioth.jnet.tso=true slirp-ab.sh . 4
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root_b=$(cd "$here/../.." && pwd)
root_a=$(cd "$1" && pwd)
. "$root_b/.mvn/jdk25.sh"
java="$JAVA_HOME/bin/java"
rounds=${2:-3}
fetches=${3:-5}
roundtrips=${4:-2000}
slirp_a=${SLIRP_A:-slirp:///mtu=1500}
slirp_b=${SLIRP_B:-slirp:///mtu=1500}
java_a=${JAVA_A-${IOTH_JAVA_OPTS-}}
java_b=${JAVA_B-${IOTH_JAVA_OPTS-}}
http=18084
echo_port=18085
. "$here/slirp-lab.sh"
lab_start

client() { # namespace, label
  echo "== $2"
  timeout 300 ip netns exec "$1" "$java" -XX:+UseSerialGC "$work/SlirpBench.java" client 10.0.2.2 $http $echo_port "$fetches" "$roundtrips" | grep RESULT
}

jioth_row() { # round, label, root, slirp VNL, plug JVM options
  local ns=slirpab-$1$2-$$ tap=sab$1$2$$ plug
  ip netns add "$ns"; namespaces+=("$ns")
  IOTH_JAVA_OPTS="$5" "$3/ioth" plug "$4" "tap://$tap/offload=1" > "$work/plug-$1$2.log" 2>&1 &
  plug=$!
  pids+=($plug)
  lab_guest_tap "$ns" "$tap"
  client "$ns" "round $1: jioth $2 $4 tap://TAP/offload=1${5:+ ($5)}"
  kill $plug; wait $plug 2>/dev/null || true
  ip netns del "$ns"
}

slirp4netns_row() { # round
  local ns=slirpab-s$1-$$ holder s4
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

pasta_row() { # round
  command -v pasta > /dev/null || return 0
  echo "== round $1: pasta --config-net --mtu 1500 (as nobody)"
  timeout 300 setpriv --reuid=65534 --regid=65534 --clear-groups pasta --config-net --mtu 1500 -- sh -c \
    "gw=\$(ip route | awk '/^default/ {print \$3; exit}'); $java -XX:+UseSerialGC $work/SlirpBench.java client \$gw $http $echo_port $fetches $roundtrips" \
    2>&1 | grep RESULT || true
}

"$root_a/ioth" help > /dev/null 2>&1 # build first if the sources changed
"$root_b/ioth" help > /dev/null 2>&1
for r in $(seq "$rounds"); do
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  jioth_row "$r" A "$root_a" "$slirp_a" "$java_a"
  jioth_row "$r" B "$root_b" "$slirp_b" "$java_b"
  slirp4netns_row "$r"
  pasta_row "$r"
done
