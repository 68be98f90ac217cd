#!/bin/bash
# Issue 10's HTTP churn: Netty HTTP/1.1 (docs/scripts/NettyHello.java, plain Netty NIO) answering
# `ab -c20` (Debian apache2-utils; no -k: a new connection per request, the server closes) from a
# Linux client in a namespace, served (1) on jnet by `ioth run jnet vde://SW` and (2) on the Linux
# kernel in a namespace behind its own tap on the same Debian vde_switch; alternated, ROUNDS rounds
# (default 3) of REQUESTS requests (default 10000). After each job the server JVM's CPU (utime +
# stime from /proc) per request; at the end each JVM's committed heap. BASE_JAR=/path/to/jioth-cli.jar
# adds a jnet server run by another build (its lib/ beside it) for before/after figures in one run.
# Netty's jars come from the local Maven repository (NETTY, default 4.2.18.Final, the version
# jioth-it resolves: run its tests or `./mvnw -pl jioth-it -am test-compile` once to fetch them).
# Run as root from anywhere in the repository.
. "$(dirname "$0")/../../.mvn/jdk25.sh"
set -u
cd "$(dirname "$0")/../.."
./ioth --version >/dev/null || exit 1 # builds the CLI if needed
NETTY=${NETTY:-4.2.18.Final}
CP=
for a in buffer codec-base codec-http common handler resolver transport; do
  j=~/.m2/repository/io/netty/netty-$a/$NETTY/netty-$a-$NETTY.jar
  [ -f "$j" ] || { echo "missing $j (fetch Netty $NETTY first)"; exit 1; }
  CP=$CP$j:
done
T=$(mktemp -d /tmp/nettyab.XXXX)
"$JAVA_HOME"/bin/javac -d $T/classes -cp "$CP" docs/scripts/NettyHello.java || exit 1
CP=$CP$T/classes
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ -f $T/sw.pid ] && kill "$(cat $T/sw.pid)"
  for ns in naC naK; do ip netns del $ns 2>/dev/null; done
  rm -rf $T
}
trap cleanup EXIT
vde_switch -s $T/sw -d -p $T/sw.pid </dev/null; sleep 1
plug() { # plug NS TAP ADDR
  ip netns add $1; ip -n $1 link set lo up
  ip netns exec $1 vde_plug tap://$2 vde://$T/sw </dev/null >/dev/null 2>&1 & PIDS+=($!)
  sleep 1; ip -n $1 addr add $3/24 dev $2; ip -n $1 link set $2 up
}
plug naC natc 192.168.250.60
plug naK natk 192.168.250.51
ip netns exec naK "$JAVA_HOME"/bin/java -cp "$CP" NettyHello 8080 > $T/kernel.log 2>&1 & PIDS+=($!)
./ioth run jnet vde://$T/sw --conf eth,ip=192.168.250.52/24 -- -cp "$CP" NettyHello 8080 > $T/jnet.log 2>&1 & PIDS+=($!)
HOSTS="192.168.250.51 192.168.250.52"
if [ -n "${BASE_JAR:-}" ]; then
  "$JAVA_HOME"/bin/java --enable-native-access=ALL-UNNAMED -jar "$BASE_JAR" run jnet vde://$T/sw \
    --conf eth,ip=192.168.250.53/24 -- -cp "$CP" NettyHello 8080 > $T/base.log 2>&1 & PIDS+=($!)
  HOSTS="$HOSTS 192.168.250.53"
fi
sleep 10
server() { # the PID of the server JVM answering on host $1 (not `ioth run` itself)
  for p in $(pgrep -f "NettyHello 8080"); do
    c=$(tr '\0' ' ' < /proc/$p/cmdline)
    case "$c" in *" run jnet "*) continue;; esac
    case $1 in
      *.51) [ "$(ip netns identify $p)" = naK ] && echo $p;;
      *) [[ "$c" == *"ip=$1/"* ]] && echo $p;;
    esac
  done | head -1
}
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
N=${REQUESTS:-10000}
echo "servers: .51 kernel, .52 jnet${BASE_JAR:+, .53 jnet from $BASE_JAR}; load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S) UTC"
for h in $HOSTS; do ip netns exec naC ab -q -c20 -n ${WARMUP:-10000} -s 10 http://$h:8080/ >/dev/null 2>&1; done # warm-up (JIT)
for i in $(seq ${ROUNDS:-3}); do
  for h in $HOSTS; do
    p=$(server $h); c0=$(cpu $p)
    r=$(ip netns exec naC ab -q -c20 -n $N -s 10 http://$h:8080/ 2>&1 | grep -E 'Requests per|Failed requests|Non-2xx' | tr -s ' ' | tr '\n' ' ')
    c1=$(cpu $p)
    echo "$h round $i: $r server CPU $(( (c1 - c0) * 10 )) ms, $(awk -v c=$(( (c1 - c0) * 10 )) -v n=$N 'BEGIN{printf "%.3f", c/n}') ms per request"
  done
done
for h in $HOSTS; do p=$(server $h); echo "$h heap: $("$JAVA_HOME"/bin/jcmd $p GC.heap_info | sed -n 2p | tr -s ' ')"; done
echo "load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S) UTC"
