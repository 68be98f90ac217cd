# Sourced by the slirp bench scripts: their scratch directory, the host-side server the guests
# fetch from, the guests' DHCP script, and the removal of what a script started (processes in
# `pids`, namespaces in `namespaces`) when it exits, however it exits, and the rows the scripts
# share (a jioth plug with the guest on its tap, slirp4netns), each measured by the caller's function.
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

# lab_jioth_row NS TAP MEASURE LABEL ROOT SLIRP_VNL TAP_OPTIONS JAVA_OPTS: one jioth row in a fresh
# namespace NS: `ROOT/ioth plug SLIRP_VNL tap://TAP<TAP_OPTIONS>` (IOTH_JAVA_OPTS=JAVA_OPTS, log in
# $work/plug-TAP.log), the guest's tap leased by DHCP, then `MEASURE NS LABEL`; the plug and the
# namespace are removed after it.
lab_jioth_row() {
  local ns=$1 tap=$2 measure=$3 label=$4 ioth_root=$5 vnl=$6 tapopts=$7 javaopts=$8 plug
  ip netns add "$ns"; namespaces+=("$ns")
  IOTH_JAVA_OPTS="$javaopts" "$ioth_root/ioth" plug "$vnl" "tap://$tap$tapopts" > "$work/plug-$tap.log" 2>&1 &
  plug=$!
  pids+=($plug)
  lab_guest_tap "$ns" "$tap"
  "$measure" "$ns" "$label"
  kill $plug; wait $plug 2>/dev/null || true
  ip netns del "$ns"
}

# lab_slirp4netns_row NS MTU MEASURE LABEL: one slirp4netns row (--configure --mtu=MTU, log in
# $work/slirp4netns-NS.log) in a fresh namespace NS held by a sleeping process, then
# `MEASURE NS LABEL`; slirp4netns, the holder and the namespace are removed after it.
lab_slirp4netns_row() {
  local ns=$1 mtu=$2 measure=$3 label=$4 holder s4
  ip netns add "$ns"; namespaces+=("$ns")
  ip netns exec "$ns" sleep 100000 &
  holder=$!
  pids+=($holder)
  # slirp4netns joins the holder's namespace as it finds it: wait until `ip netns exec` has entered
  # it, or the tap, its address and a default route would land in this (the host's) namespace
  until [ "$(ip netns identify "$holder" 2>/dev/null)" = "$ns" ]; do sleep 0.05; done
  slirp4netns --configure --mtu="$mtu" "$holder" tap0 > "$work/slirp4netns-$ns.log" 2>&1 &
  s4=$!
  pids+=($s4)
  until ip -n "$ns" addr show tap0 2>/dev/null | grep -q 10.0.2.100; do sleep 0.1; done
  "$measure" "$ns" "$label"
  kill $s4 $holder; wait $s4 $holder 2>/dev/null || true
  ip netns del "$ns"
}
