#!/usr/bin/env bash
# Benchmark: a Linux guest in a network namespace reaches the host's 127.0.0.1 through 10.0.2.2,
# once through jioth's slirp:// (`ioth plug slirp:// vde://SW`, the guest's tap on Debian's
# vde_switch, address by DHCP) and once through Debian's slirp4netns attached to the same kind of
# namespace (MTU 1500 and its recommended 65520). The guest runs SlirpBench.java client: 64 MiB
# HTTP fetches (SHA-256 checked) and 1-byte round trips on one TCP connection to a host echo server.
# Needs root, vde_switch, udhcpc, slirp4netns. Usage: slirp-vs-slirp4netns.sh [RUNS] [ROUNDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/.mvn/jdk25.sh"
java="$JAVA_HOME/bin/java"
runs=${1:-5}
rounds=${2:-2000}
http=18080
echo_port=18081
work=$(mktemp -d)
pids=()
namespaces=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for n in "${namespaces[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

"$java" "$here/SlirpBench.java" serve $http $echo_port > "$work/serve.log" 2>&1 &
pids+=($!)
until grep -q serving "$work/serve.log"; do sleep 0.2; done

client() { # namespace, label
  echo "== $2"
  ip netns exec "$1" "$java" -XX:+UseSerialGC "$here/SlirpBench.java" client 10.0.2.2 $http $echo_port "$runs" "$rounds"
}

# --- jioth slirp:// ---
ns=slirpbench-j$$
ip netns add "$ns"; namespaces+=("$ns")
ip netns exec "$ns" vde_switch -s "$work/sw" -t tap0 < /dev/zero > "$work/switch.log" 2>&1 &
pids+=($!)
until [ -S "$work/sw/ctl" ]; do sleep 0.1; done
ip -n "$ns" link set lo up
ip -n "$ns" link set tap0 up
"$root/ioth" plug slirp:// "vde://$work/sw" > "$work/plug.log" 2>&1 &
pids+=($!)
cat > "$work/udhcpc.sh" <<'SCRIPT'
#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    ip route replace default via "$router" dev "$interface" ;;
esac
SCRIPT
chmod +x "$work/udhcpc.sh"
ip netns exec "$ns" udhcpc -i tap0 -f -q -n -t 20 -T 1 -s "$work/udhcpc.sh" > /dev/null 2>&1
client "$ns" "jioth slirp:// (ioth plug slirp:// vde://…, guest tap on vde_switch, MTU 1500)"

# --- slirp4netns ---
for mtu in 1500 65520; do
  ns=slirpbench-s$mtu-$$
  ip netns add "$ns"; namespaces+=("$ns")
  ip netns exec "$ns" sleep 100000 &
  holder=$!
  pids+=($holder)
  slirp4netns --configure --mtu=$mtu "$holder" tap0 > "$work/slirp4netns-$mtu.log" 2>&1 &
  pids+=($!)
  until ip -n "$ns" addr show tap0 2>/dev/null | grep -q 10.0.2.100; do sleep 0.1; done
  client "$ns" "slirp4netns --configure --mtu=$mtu (tap fd in the slirp4netns process)"
done
