#!/usr/bin/env bash
# Benchmark: a Linux guest in a network namespace reaches the host's 127.0.0.1 through 10.0.2.2,
# through jioth's slirp:// (`ioth plug slirp:// vde://SW` with the guest's tap on Debian's
# vde_switch, and `ioth plug slirp:// tap://TAP` with the tap moved into the guest's namespace, as
# slirp4netns holds its tap; address by DHCP; MTU 1500 and 9000) and through Debian's slirp4netns
# attached to the same kind of namespace (MTU 1500 and its recommended 65520), and through Debian's
# pasta (passt package) if installed, unprivileged, MTU 1500 and 65520. The jioth tap rows run with
# and without tap://TAP/offload=1 (TSO super-frames to the kernel). The guest runs SlirpBench.java client: 64 MiB
# HTTP fetches (SHA-256 checked) and 1-byte round trips on one TCP connection to a host echo server.
# Needs root, vde_switch, udhcpc, slirp4netns (pasta optional). Usage: slirp-vs-slirp4netns.sh [RUNS] [ROUNDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/.mvn/jdk25.sh"
java="$JAVA_HOME/bin/java"
runs=${1:-5}
rounds=${2:-2000}
http=18080
echo_port=18081
. "$here/slirp-lab.sh"
lab_start

client() { # namespace, label
  echo "== $2"
  timeout 300 ip netns exec "$1" "$java" -XX:+UseSerialGC "$here/SlirpBench.java" client 10.0.2.2 $http $echo_port "$runs" "$rounds"
}

# --- jioth slirp://, the guest's tap on vde_switch (as in the test; vde_switch's frames stop at MTU 1500) ---
for mtu in 1500; do
  ns=slirpbench-v$mtu-$$
  ip netns add "$ns"; namespaces+=("$ns")
  ip netns exec "$ns" vde_switch -d -p "$work/switch$mtu.pid" -s "$work/sw$mtu" -t tap0
  until [ -s "$work/switch$mtu.pid" ] && [ -S "$work/sw$mtu/ctl" ]; do sleep 0.1; done
  pids+=("$(cat "$work/switch$mtu.pid")")
  ip -n "$ns" link set lo up
  ip -n "$ns" link set tap0 up
  "$root/ioth" plug "slirp:///mtu=$mtu" "vde://$work/sw$mtu" > "$work/plug$mtu.log" 2>&1 &
  pids+=($!)
  ip netns exec "$ns" udhcpc -i tap0 -f -q -n -t 20 -T 1 -s "$work/udhcpc.sh" > /dev/null 2>&1
  client "$ns" "jioth: ioth plug slirp:///mtu=$mtu vde://SW, the guest's tap on vde_switch, DHCP"
done

# --- jioth slirp://, the tap opened by ioth plug and moved into the guest's namespace ---
for row in "1500|" "1500|/offload=1" "9000/flowbuf=256k|" "9000/flowbuf=256k|/offload=1"; do
  variant=${row%%|*}
  tapopts=${row##*|}
  mtu=${variant%%/*}
  lab_jioth_row "slirpbench-t$mtu${tapopts:+o}-$$" "sbt$mtu${tapopts:+o}$$" client \
    "jioth: ioth plug slirp:///mtu=$variant tap://TAP$tapopts, the tap moved into the guest's namespace, DHCP" \
    "$root" "slirp:///mtu=$variant" "$tapopts" "${IOTH_JAVA_OPTS-}"
done

# --- slirp4netns ---
for mtu in 1500 65520; do
  lab_slirp4netns_row "slirpbench-s$mtu-$$" "$mtu" client "slirp4netns --configure --mtu=$mtu (tap fd in the slirp4netns process)"
done

# --- pasta (Debian's passt package), unprivileged: it makes its own user and network namespace,
# copies the host's addresses into it and maps the default gateway's address to the host's loopback ---
if command -v pasta > /dev/null; then
  for mtu in 1500 65520; do
    echo "== pasta --config-net --mtu $mtu (run as nobody; the host's 127.0.0.1 via the namespace's default gateway)"
    timeout 300 setpriv --reuid=65534 --regid=65534 --clear-groups pasta --config-net --mtu $mtu -- sh -c \
      "gw=\$(ip route | awk '/^default/ {print \$3; exit}'); $java -XX:+UseSerialGC $work/SlirpBench.java client \$gw $http $echo_port $runs $rounds" \
      2>&1 | grep -v 'to syslog'
  done
fi
