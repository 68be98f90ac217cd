#!/bin/bash
# jnet <-> jnet 1-byte echo round trips across a Debian vde_switch, two JVMs (server in the background).
# usage: rtt-probe.sh DIR N [java options]   (DIR holds jioth-cli.jar and lib/, e.g. jioth-cli/target)
# With RTT_STRACE=1 the client JVM runs under strace -f -c and its system call counts are printed
# (rtt-syscalls.sh; diff two N for the count per round trip).
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
d=$1; n=$2; shift 2
sw=/tmp/sw.$$
vde_switch -s $sw -d -p /tmp/sw.$$.pid >/dev/null 2>&1 </dev/null
sleep 0.5
CP="$d/jioth-cli.jar:$d/lib/*"
$J --enable-native-access=ALL-UNNAMED "$@" -cp "$CP" "$(dirname "$0")"/RttProbe.java server $sw > /tmp/server.$$.log 2>&1 &
sp=$!
for i in $(seq 1 100); do grep -q ready /tmp/server.$$.log 2>/dev/null && break; sleep 0.2; done
echo "server pid $sp" >&2
trace=()
if [ "${RTT_STRACE:-0}" = 1 ]; then
  trace=(strace -f -c -o /tmp/strace.$$.txt
         -e trace=sendmmsg,recvmmsg,epoll_pwait2,epoll_wait,epoll_pwait,epoll_ctl,timerfd_settime,write,read,futex,sendto,recvfrom)
fi
"${trace[@]}" $J --enable-native-access=ALL-UNNAMED "$@" -cp "$CP" "$(dirname "$0")"/RttProbe.java client $sw $n
kill $sp; kill $(cat /tmp/sw.$$.pid); rm -rf $sw /tmp/sw.$$.pid
if [ "${RTT_STRACE:-0}" = 1 ]; then
  grep -E "sendmmsg|recvmmsg|epoll|timerfd|write|read|futex|total" /tmp/strace.$$.txt
  rm -f /tmp/strace.$$.txt
fi
