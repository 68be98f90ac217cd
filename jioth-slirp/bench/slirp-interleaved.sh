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

"$root/ioth" help > /dev/null 2>&1 # build first if the sources changed
for r in $(seq "$rounds"); do
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
  lab_jioth_row "slirpil-j$r-$$" "sil$r$$" client "round $r: jioth slirp:///mtu=1500 tap://TAP" \
    "$root" slirp:///mtu=1500 "" "${IOTH_JAVA_OPTS-}"
  lab_jioth_row "slirpil-j${r}o-$$" "sil${r}o$$" client "round $r: jioth slirp:///mtu=1500 tap://TAP/offload=1" \
    "$root" slirp:///mtu=1500 /offload=1 "${IOTH_JAVA_OPTS-}"
  lab_slirp4netns_row "slirpil-s$r-$$" 1500 client "round $r: slirp4netns --configure --mtu=1500"
done
