#!/bin/bash
# Issue 10's one-way bulk into a jnet server, with the counters that say where a Linux sender's
# frames are lost: a Debian vde_switch (with its management console), a Linux client in a namespace
# behind its own tap, and the bench's sink (jioth-bench's StackPeer: TcpServers) on the Linux kernel in
# a second namespace and on jnet (`vde://`), driven in turn by the client. Per run it prints the
# rate, the sender's TcpOutSegs/TcpRetransSegs (nstat) and its `ss -ti` (rtt, cwnd, snd_wnd,
# rwnd_limited), and for jnet the frames the switch sent toward the server against those the
# server's stack received (Eth.InFrames): the difference is what the switch dropped because the
# server's data socket was full. BASE_JAR=/path/to/jioth-cli.jar (its lib/ beside it) adds a jnet
# server from another build for before/after figures in the same run; VARIANT_OPTS="-Dx=y ..." adds
# this build's jnet server again with those JVM options.
# Run as root from anywhere in the repository; ROUNDS (default 3) and SECONDS_PER_RUN (default 4)
# bound it. Wrap it in `flock /work/wt/bench.lock` on a shared machine.
. "$(dirname "$0")/../../.mvn/jdk25.sh"
set -u
cd "$(dirname "$0")/../.."
./ioth --version >/dev/null || exit 1 # builds the CLI if needed
T=$(mktemp -d /tmp/bulkinto.XXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ -f $T/sw.pid ] && kill "$(cat $T/sw.pid)"
  for ns in biC biK; do ip netns del $ns 2>/dev/null; done
  rm -rf $T
}
trap cleanup EXIT
cat > $T/client.py <<'EOF'
import socket, struct, sys, time
# the bench sink's protocol: a 16-byte header, the data, a half-close, the receiver's 16-byte count
host, port, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.create_connection((host, port), timeout=30)
s.sendall(struct.pack('>qq', int(secs * 1e9 / 8), 1 << 40))
chunk, end = b'x' * 262144, time.time() + secs
while time.time() < end:
    s.sendall(chunk)
s.shutdown(socket.SHUT_WR)
b = b''
while len(b) < 16:
    r = s.recv(16 - len(b))
    if not r:
        break
    b += r
n, ns = struct.unpack('>qq', b)
print('%.1f MB/s' % (n / (ns / 1e9) / 1e6), end='')
EOF
vde_switch -s $T/sw -M $T/mgmt -d -p $T/sw.pid </dev/null; sleep 1
plug() { # plug NS TAP ADDR
  ip netns add $1; ip -n $1 link set lo up
  ip netns exec $1 vde_plug tap://$2 vde://$T/sw </dev/null >/dev/null 2>&1 & PIDS+=($!)
  sleep 1; ip -n $1 addr add $3/24 dev $2; ip -n $1 link set $2 up
}
plug biC bic 192.168.250.60
plug biK bik 192.168.250.51
classpath() { echo "$1:$(ls "$(dirname "$1")"/lib/*.jar | tr '\n' ':')"; }
peer() { # peer NAME JAR NS-PREFIX STACK VNL ADDR [JVM-OPTIONS]: a StackPeer fed by a fifo (a line "stats" prints its counters)
  mkfifo $T/in-$1; sleep 100000 > $T/in-$1 & PIDS+=($!)
  $3 "$JAVA_HOME"/bin/java --enable-native-access=ALL-UNNAMED ${7:-} -cp "$(classpath $2)" org.jioth.bench.StackPeer \
    $4 $5 $6 100000 < $T/in-$1 > $T/out-$1 2> $T/err-$1 & PIDS+=($!)
  echo ${6%/*} > $T/addr-$1
}
JAR=$(realpath jioth-cli/target/jioth-cli.jar)
NAMES="kernel jnet"
peer kernel $JAR "ip netns exec biK" kernel - 192.168.250.51/24
peer jnet $JAR "" jnet vde://$T/sw 192.168.250.52/24
if [ -n "${BASE_JAR:-}" ]; then peer base "$BASE_JAR" "" jnet vde://$T/sw 192.168.250.53/24; NAMES="$NAMES base"; fi
if [ -n "${VARIANT_OPTS:-}" ]; then # this build again, its JVM given these options
  peer variant $JAR "" jnet vde://$T/sw 192.168.250.54/24 "$VARIANT_OPTS"; NAMES="$NAMES variant"
fi
for n in $NAMES; do
  for i in $(seq 60); do grep -q '^ready' $T/out-$n 2>/dev/null && break; sleep 0.5; done
  grep -q '^ready' $T/out-$n || { echo "$n: no ready line: $(cat $T/err-$n)"; exit 1; }
done
switch_out() { # frames the switch sent out of the port whose client has pid $1
  (echo port/allprint; sleep 0.5) | timeout 2 socat - UNIX-CONNECT:$T/mgmt 2>/dev/null | grep -E 'OUT:|prog' \
    | tr -s ' ' | paste - - | awk -v p="pid=$1" '$NF == p {print $3}'
}
in_frames() { # the StackPeer's Eth.InFrames now
  local before; before=$(grep -c '^stats' $T/err-$1)
  echo stats > $T/in-$1
  for i in $(seq 40); do [ "$(grep -c '^stats' $T/err-$1)" -gt "$before" ] && break; sleep 0.05; done
  grep '^stats' $T/err-$1 | tail -1 | tr ' ' '\n' | sed -n 's/^Eth.InFrames=//p'
}
S=${SECONDS_PER_RUN:-4}
echo "servers: .51 kernel, .52 jnet ($JAR)${BASE_JAR:+, .53 jnet ($BASE_JAR)}${VARIANT_OPTS:+, .54 jnet ($VARIANT_OPTS)}; load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S) UTC"
for i in $(seq ${ROUNDS:-3}); do
  for n in $NAMES; do
    port=$(awk '{print $2}' $T/out-$n); host=$(cat $T/addr-$n)
    pid=$(pgrep -f "StackPeer .* ${host}/24" | head -1)
    [ $n != kernel ] && { s0=$(switch_out $pid); f0=$(in_frames $n); }
    ip netns exec biC nstat -n >/dev/null
    (sleep $((S - 1)); ip netns exec biC ss -tin dst $host | tr -s ' ' | tail -1 > $T/ss) &
    rate=$(ip netns exec biC python3 $T/client.py $host $port $S)
    wait $!
    line="$n $rate; sender: $(ip netns exec biC nstat | awk '/TcpOutSegs|TcpRetransSegs/ {printf "%s=%s ", $1, $2}')"
    line="$line$(grep -o ' rtt:[^ ]*\| cwnd:[^ ]*\| snd_wnd:[^ ]*\| rwnd_limited:[^ ]*' $T/ss | tr -d '\n')"
    if [ $n != kernel ]; then
      s1=$(switch_out $pid); f1=$(in_frames $n)
      line="$line; switch sent $((s1 - s0)) frames toward it, it received $((f1 - f0))"
    fi
    echo "$line"
  done
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S) UTC"
