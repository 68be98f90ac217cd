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
