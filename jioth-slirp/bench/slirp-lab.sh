# Sourced by the slirp bench scripts: their scratch directory, the host-side server the guests
# fetch from, the guests' DHCP script, and the removal of what a script started (processes in
# `pids`, namespaces in `namespaces`) when it exits, however it exits.
# The caller sets java, here, http and echo_port, then calls lab_start.

lab_start() {
  work=$(mktemp -d)
  pids=()
  namespaces=()
  trap lab_cleanup EXIT
  "$java" "$here/SlirpBench.java" serve "$http" "$echo_port" > "$work/serve.log" 2>&1 &
  pids+=($!)
  until grep -q serving "$work/serve.log"; do sleep 0.2; done
  # udhcpc applies the lease: the address, the default route, and the MTU when the server sends one
  cat > "$work/udhcpc.sh" <<'SCRIPT'
#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    [ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    ip route replace default via "$router" dev "$interface" ;;
esac
SCRIPT
  chmod +x "$work/udhcpc.sh"
  # a guest that runs as another user (pasta's, as nobody) must read the client from here
  cp "$here/SlirpBench.java" "$work/SlirpBench.java"
  chmod 755 "$work"
}

lab_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for n in "${namespaces[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$work"
}

# lab_guest_tap NS TAP: waits up to 60 s for the plug's TAP, moves it into namespace NS (failing,
# and so ending the run, if the plug made none), brings it up and leases an address over it by DHCP.
lab_guest_tap() {
  local ns=$1 tap=$2
  for _ in $(seq 600); do ip link show "$tap" > /dev/null 2>&1 && break; sleep 0.1; done
  ip link set "$tap" netns "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" link set "$tap" up
  ip netns exec "$ns" udhcpc -i "$tap" -f -q -n -t 20 -T 1 -s "$work/udhcpc.sh" > /dev/null 2>&1
}
