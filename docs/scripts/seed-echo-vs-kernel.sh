#!/bin/bash
# Issue 10's echo measurement: `ioth server jnet vde://SW` (the seed's echo server of jioth-cli) and
# the same `ioth server` on the Linux kernel in a namespace behind its own tap on the same Debian
# vde_switch, driven in turn by a Linux client in a third namespace (seed_echo_client.py): full-duplex
# echo streaming, connection churn (connect, 1 byte, echo, close) and 1-byte round trips, with each
# server process's CPU per MB or per connection. BASE_JAR=/path/to/jioth-cli.jar adds a jnet server
# from another build (its lib/ beside it) for before/after figures in the same run; OPTS_B="JVM
# options" adds a jnet server of this build run with them (.54), to compare JVM settings; HTTP=1 adds
# jwebserver on jnet (`ioth run`) and on the kernel under `ab -c20` (Debian apache2-utils) with the
# committed heap of each JVM after it.
# Run as root from anywhere in the repository; ROUNDS (default 3), SECONDS_PER_JOB (default 4) and
# MAX_CONN (connections per churn job, default 3000) bound it. Keep MAX_CONN small: the client closes
# first, so each connection leaves a TIME_WAIT in the client's namespace for 60 s; with 20,000 per
# job, every jnet server fell to 250-350 connections/s in the third round (~15,000 TIME_WAITs towards
# it), probably Linux's connect() searching a crowded port range: the figure then measures the client.
. "$(dirname "$0")/../../.mvn/jdk25.sh"
set -u
cd "$(dirname "$0")/../.."
./ioth --version >/dev/null || exit 1 # builds the CLI if needed
T=$(mktemp -d /tmp/seedecho.XXXX)
C=$(realpath docs/scripts/seed_echo_client.py)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ -f $T/sw.pid ] && kill "$(cat $T/sw.pid)"
  for ns in seC seK; do ip netns del $ns 2>/dev/null; done
  rm -rf $T
}
trap cleanup EXIT
vde_switch -s $T/sw -d -p $T/sw.pid </dev/null; sleep 1
plug() { # plug NS TAP ADDR
  ip netns add $1; ip -n $1 link set lo up
  ip netns exec $1 vde_plug tap://$2 vde://$T/sw </dev/null >/dev/null 2>&1 & PIDS+=($!)
  sleep 1; ip -n $1 addr add $3/24 dev $2; ip -n $1 link set $2 up
}
plug seC setc 192.168.250.60
plug seK setk 192.168.250.51
ip netns exec seK ./ioth server kernel --lo > $T/kernel.log 2>&1 & PIDS+=($!); KPID=$!
./ioth server jnet vde://$T/sw --addr 192.168.250.52/24 > $T/jnet.log 2>&1 & PIDS+=($!); JPID=$!
SERVERS="192.168.250.51:$KPID 192.168.250.52:$JPID"
if [ -n "${BASE_JAR:-}" ]; then
  "$JAVA_HOME"/bin/java --enable-native-access=ALL-UNNAMED -jar "$BASE_JAR" server jnet vde://$T/sw \
    --addr 192.168.250.53/24 > $T/base.log 2>&1 & PIDS+=($!)
  SERVERS="$SERVERS 192.168.250.53:$!"
fi
if [ -n "${OPTS_B:-}" ]; then
  IOTH_JAVA_OPTS="$OPTS_B" ./ioth server jnet vde://$T/sw --addr 192.168.250.54/24 > $T/optsb.log 2>&1 & PIDS+=($!)
  SERVERS="$SERVERS 192.168.250.54:$!"
fi
sleep 6
run() { SPID=${1#*:} ip netns exec seC python3 $C $2 ${1%%:*} 5000 "${@:3}"; }
S=${SECONDS_PER_JOB:-4}
echo "servers: .51 kernel, .52 jnet${BASE_JAR:+, .53 jnet from $BASE_JAR}${OPTS_B:+, .54 jnet with $OPTS_B}; load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S) UTC"
for s in $SERVERS; do run $s stream 2 >/dev/null; run $s churn 2 3000 >/dev/null; run $s rtt 2000 >/dev/null; done # warm-up
for i in $(seq ${ROUNDS:-3}); do for s in $SERVERS; do run $s stream $S; done; done
for i in $(seq ${ROUNDS:-3}); do for s in $SERVERS; do run $s churn $S ${MAX_CONN:-3000}; done; done
for s in $SERVERS; do run $s rtt 5000; done
if [ -n "${HTTP:-}" ]; then
  mkdir -p $T/www; echo hello > $T/www/index.txt
  ./ioth run jnet vde://$T/sw --conf eth,ip=192.168.250.56/24 -- -m jdk.httpserver -b 0.0.0.0 -p 8000 -d $T/www -o NONE \
    > $T/jweb.log 2>&1 & PIDS+=($!)
  ip netns exec seK "$JAVA_HOME"/bin/java -m jdk.httpserver -b 0.0.0.0 -p 8000 -d $T/www -o NONE > $T/kweb.log 2>&1 & PIDS+=($!)
  sleep 8
  for i in $(seq ${ROUNDS:-3}); do for h in 192.168.250.51 192.168.250.56; do
    echo "$h ab -c20 -n 15000: $(ip netns exec seC ab -q -c20 -n 15000 -s 10 http://$h:8000/index.txt 2>&1 | grep -E 'Requests per' | tr -s ' ')"
  done; done
  for p in $(pgrep -f "jdk.httpserver -b 0.0.0.0 -p 8000 -d $T/www"); do
    tr '\0' ' ' < /proc/$p/cmdline | grep -q ' run jnet ' && continue # ioth run itself, not the server's JVM
    echo "heap of $p ($(tr '\0' ' ' < /proc/$p/cmdline | grep -o 'ip=[0-9./]*' || echo kernel)): $("$JAVA_HOME"/bin/jcmd $p GC.heap_info | sed -n 2p)"
  done
fi
echo "load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S) UTC"
