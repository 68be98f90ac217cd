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
  lab_jioth_row "slirpab-${r}A-$$" "sab${r}A$$" client "round $r: jioth A $slirp_a tap://TAP/offload=1${java_a:+ ($java_a)}" \
    "$root_a" "$slirp_a" /offload=1 "$java_a"
  lab_jioth_row "slirpab-${r}B-$$" "sab${r}B$$" client "round $r: jioth B $slirp_b tap://TAP/offload=1${java_b:+ ($java_b)}" \
    "$root_b" "$slirp_b" /offload=1 "$java_b"
  lab_slirp4netns_row "slirpab-s$r-$$" 1500 client "round $r: slirp4netns --configure --mtu=1500"
  pasta_row "$r"
done
