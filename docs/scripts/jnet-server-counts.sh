#!/bin/bash
# Issue 10, lane server: where the CPU per MB goes when a Linux client sends bulk into, or streams an
# echo through, a server on one Debian vde_switch: the bench's StackPeer (TcpServers: the sink and
# the full-duplex echo of `bench stack`) on jnet (`vde://`) and on the Linux kernel in a namespace
# behind its own tap, driven in turn by a Linux client in a third namespace. Per run it prints the
# rate, then per MB the client sent (received, for "source"): the CPU of every process on the path (server JVM, switch, the
# client's vde_plug, the kernel server's vde_plug, the client), the sender's retransmissions, and
# for a jnet server its stack's counters (frames in and out, loop sleeps, port calls), its JVM's CPU split
# (user, system, JIT compiler threads, GC threads, and what is left without JIT and GC: the stack's own
# per-MB work, without the compiler threads that still run in the first rounds) and the
# voluntary context switches of its threads (loop, carriers). PERF=1 adds `perf stat` of the server
# JVM: system calls by kind and context switches (exact counts, no lock needed for them).
# BASE_JAR=/path/to/jioth-cli.jar (its lib/ beside it) adds a jnet server of another build;
# VARIANT_OPTS="-Dx=y" adds this build's jnet server again with those JVM options.
# Run as root from anywhere in the repository. ROUNDS (3), SECONDS_PER_RUN (3), JOBS ("bulk stream"; "source"
# is server-to-client bulk, the server's writer blocked on its full send buffer: per MB the client received).
# Wrap it in `flock /work/wt/bench.lock` on a shared machine (rates and CPU are timing figures).
. "$(dirname "$0")/../../.mvn/jdk25.sh"
set -u
cd "$(dirname "$0")/../.."
./ioth --version >/dev/null || exit 1 # builds the CLI if needed
T=$(mktemp -d /tmp/srvcounts.XXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ -f $T/sw.pid ] && kill "$(cat $T/sw.pid)"
  for ns in scC scK; do ip netns del $ns 2>/dev/null; done
  rm -rf $T
}
trap cleanup EXIT
cat > $T/client.py <<'EOF'
import socket, struct, sys, time, threading
# bulk: the bench sink's protocol (header, data, half-close, the sink's count); stream: full-duplex echo.
# Prints the rate (10^6 B/s, from an eighth of the time on) and the bytes sent in all.
mode, host, port, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
s = socket.create_connection((host, port), timeout=30)
chunk, sent = b'x' * 262144, [0]
def send():
    end = time.time() + secs
    while time.time() < end:
        s.sendall(chunk)
        sent[0] += len(chunk)
    s.shutdown(socket.SHUT_WR)
def receive():
    """Reads to the end: the rate from an eighth of the time on, and the bytes received."""
    start, count, mark = time.time(), 0, None
    while True:
        b = s.recv(262144)
        if not b:
            break
        count += len(b)
        now = time.time()
        if mark is None and now - start >= secs / 8:
            mark = (now, count)
    return (count - mark[1]) / (time.time() - mark[0]) / 1e6, count
if mode == 'source': # the server writes (server to client bulk): the bench source's protocol
    s.sendall(struct.pack('>qq', int(secs * 1e9), 1 << 40))
    print('%.1f %d' % receive())
    sys.exit(0)
if mode == 'bulk':
    s.sendall(struct.pack('>qq', int(secs * 1e9 / 8), 1 << 40))
    send()
    b = b''
    while len(b) < 16:
        r = s.recv(16 - len(b))
        if not r:
            break
        b += r
    n, ns = struct.unpack('>qq', b)
    rate = n / (ns / 1e9) / 1e6
else:
    t = threading.Thread(target=send)
    t.start()
    rate = receive()[0]
    t.join()
print('%.1f %d' % (rate, sent[0]))
EOF
vde_switch -s $T/sw -d -p $T/sw.pid </dev/null; sleep 1
plug() { # plug NS TAP ADDR
  ip netns add $1; ip -n $1 link set lo up
  ip netns exec $1 vde_plug tap://$2 vde://$T/sw </dev/null >/dev/null 2>&1 & PIDS+=($!); echo $! > $T/plug-$1
  sleep 1; ip -n $1 addr add $3/24 dev $2; ip -n $1 link set $2 up
}
plug scC scc 192.168.250.70
plug scK sck 192.168.250.51
classpath() { echo "$1:$(ls "$(dirname "$1")"/lib/*.jar | tr '\n' ':')"; }
peer() { # peer NAME JAR NS-PREFIX STACK VNL ADDR [JVM-OPTIONS]: a StackPeer fed by a fifo (a line "stats" prints its counters)
  mkfifo $T/in-$1; sleep 100000 > $T/in-$1 & PIDS+=($!)
  $3 "$JAVA_HOME"/bin/java --enable-native-access=ALL-UNNAMED ${7:-} -cp "$(classpath $2)" org.jioth.bench.StackPeer \
    $4 $5 $6 100000 < $T/in-$1 > $T/out-$1 2> $T/err-$1 & PIDS+=($!); echo $! > $T/pid-$1
  echo ${6%/*} > $T/addr-$1
}
JAR=$(realpath jioth-cli/target/jioth-cli.jar)
NAMES="kernel jnet"
peer kernel $JAR "ip netns exec scK" kernel - 192.168.250.51/24
peer jnet $JAR "" jnet vde://$T/sw 192.168.250.52/24
if [ -n "${BASE_JAR:-}" ]; then peer base "$BASE_JAR" "" jnet vde://$T/sw 192.168.250.53/24; NAMES="$NAMES base"; fi
if [ -n "${VARIANT_OPTS:-}" ]; then peer variant $JAR "" jnet vde://$T/sw 192.168.250.54/24 "$VARIANT_OPTS"; NAMES="$NAMES variant"; fi
for n in $NAMES; do
  for i in $(seq 60); do grep -q '^ready' $T/out-$n 2>/dev/null && break; sleep 0.5; done
  grep -q '^ready' $T/out-$n || { echo "$n: no ready line: $(cat $T/err-$n)"; exit 1; }
done
ticks() { awk '{print $14 + $15}' /proc/$1/stat 2>/dev/null || echo 0; } # utime + stime, 10 ms ticks
cpusplit() { # the JVM's user ticks, system ticks, and the ticks of its live JIT compiler and GC threads
  local jit=0 gc=0 t c v
  for t in /proc/$1/task/*; do
    c=$(cat $t/comm 2>/dev/null); v=$(awk '{print $14 + $15}' $t/stat 2>/dev/null || echo 0)
    case $c in C1\ Comp*|C2\ Comp*) jit=$((jit + v)) ;; G1*|GC*) gc=$((gc + v)) ;; esac
  done
  echo "$(awk '{print $14, $15}' /proc/$1/stat) $jit $gc"
}
stats() { # the StackPeer's counters now, one NAME=VALUE a line
  local before; before=$(grep -c '^stats' $T/err-$1)
  echo stats > $T/in-$1
  for i in $(seq 40); do [ "$(grep -c '^stats' $T/err-$1)" -gt "$before" ] && break; sleep 0.05; done
  grep '^stats' $T/err-$1 | tail -1 | tr ' ' '\n' | grep = | sort
}
switches() { # voluntary context switches by thread name (names summed)
  for t in /proc/$1/task/*; do echo "$(tr ' ' _ < $t/comm) $(awk '/^voluntary/ {print $2}' $t/status)"; done \
    | awk '{sub(/-[0-9]+$/, "", $1); s[$1] += $2} END {for (k in s) print k, s[k]}' | sort
}
job() { # job NAME MODE
  local n=$1 mode=$2 host pid port ports s0 s1 p0 p1 out mb
  host=$(cat $T/addr-$n); pid=$(cat $T/pid-$n)
  ports=($(awk '{print $2, $3, $4, $5, $6}' $T/out-$n)); case $mode in bulk) port=${ports[0]} ;; source) port=${ports[3]} ;; *) port=${ports[4]} ;; esac
  [ $n != kernel ] && { stats $n > $T/s0; switches $pid > $T/c0; cpusplit $pid > $T/j0; }
  p0="$(ticks $pid) $(ticks $(cat $T/sw.pid)) $(ticks $(cat $T/plug-scC)) $(ticks $(cat $T/plug-scK))"
  ip netns exec scC nstat -n >/dev/null
  [ -n "${PERF:-}" ] && { perf stat -e raw_syscalls:sys_enter,context-switches,syscalls:sys_enter_recvmmsg,syscalls:sys_enter_sendmmsg,syscalls:sys_enter_futex,syscalls:sys_enter_epoll_pwait2,syscalls:sys_enter_epoll_ctl,syscalls:sys_enter_write \
    -p $pid -o $T/perf -- sleep $((S + 1)) & PP=$!; sleep 0.2; }
  out=$(/usr/bin/time -f '%U %S' -o $T/time ip netns exec scC python3 $T/client.py $mode $host $port $S)
  [ -n "${PERF:-}" ] && wait $PP
  p1="$(ticks $pid) $(ticks $(cat $T/sw.pid)) $(ticks $(cat $T/plug-scC)) $(ticks $(cat $T/plug-scK))"
  mb=$(echo $out | awk '{print $2 / 1e6}')
  echo "$n $mode: $(echo $out | cut -d' ' -f1) MB/s, $mb MB sent; CPU ms per MB sent: $(echo "$p0 $p1" | awk -v mb=$mb \
    '{printf "server %.2f, switch %.2f, client vde_plug %.2f, kernel server vde_plug %.2f", ($5-$1)*10/mb, ($6-$2)*10/mb, ($7-$3)*10/mb, ($8-$4)*10/mb}'), client $(awk -v mb=$mb '{printf "%.2f", ($1 + $2) * 1000 / mb}' $T/time); sender retransmitted $(ip netns exec scC nstat | awk '/TcpRetransSegs/ {print $2}' | grep . || echo 0) segments"
  if [ $n != kernel ]; then
    stats $n > $T/s1; switches $pid > $T/c1; cpusplit $pid > $T/j1
    echo "  server JVM CPU ms per MB: user $(paste $T/j0 $T/j1 | awk -v mb=$mb '{printf "%.2f, system %.2f, JIT compiler threads %.2f, GC threads %.2f; without JIT and GC %.2f", ($5-$1)*10/mb, ($6-$2)*10/mb, ($7-$3)*10/mb, ($8-$4)*10/mb, ($5+$6-$1-$2-($7-$3)-($8-$4))*10/mb}')"
    echo "  per MB: $(join -t= $T/s0 $T/s1 | awk -F= -v mb=$mb '$1 ~ /^(Eth.InFrames|Eth.OutFrames|Loop.Sleeps|Loop.LentTurns|Loop.LentWaits|Port.ReceiveCalls|Port.SendCalls|Tcp.RetransSegs)$/ && $3 != $2 {printf "%s %.1f, ", $1, ($3-$2)/mb}')voluntary switches $(join $T/c0 $T/c1 | awk -v mb=$mb '$3 - $2 > 0 {printf "%s %.1f, ", $1, ($3-$2)/mb}')"
  fi
  [ -n "${PERF:-}" ] && echo "  perf stat per MB: $(awk -v mb=$mb '$1 ~ /^[0-9,]+$/ {gsub(",", "", $1); printf "%s %.1f, ", $2, $1/mb}' $T/perf)"
}
S=${SECONDS_PER_RUN:-3}
echo "servers: .51 kernel, .52 jnet ($JAR)${BASE_JAR:+, .53 jnet ($BASE_JAR)}${VARIANT_OPTS:+, .54 jnet ($VARIANT_OPTS)}; load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S) UTC"
for m in ${JOBS:-bulk stream}; do for n in $NAMES; do job $n $m > /dev/null; done; done # warm-up, unreported
for i in $(seq ${ROUNDS:-3}); do for m in ${JOBS:-bulk stream}; do for n in $NAMES; do job $n $m; done; done; done
echo "load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S) UTC"
