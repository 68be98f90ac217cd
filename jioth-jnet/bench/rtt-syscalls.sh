#!/bin/bash
# As rtt-probe.sh, with the client JVM under strace -f -c: system calls per run (diff two N for per round trip).
# strace.sh JARDIR N [javaopts]: syscall counts of the client JVM
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
d=$1; n=$2; shift 2
sw=/tmp/sw.$$
vde_switch -s $sw -d -p /tmp/sw.$$.pid >/dev/null 2>&1 </dev/null
sleep 0.5
CP="$d/jioth-cli.jar:$d/lib/*"
$J --enable-native-access=ALL-UNNAMED "$@" -cp "$CP" "$(dirname "$0")"/RttProbe.java server $sw > /tmp/server.$$.log 2>&1 &
sp=$!
for i in $(seq 1 100); do grep -q ready /tmp/server.$$.log 2>/dev/null && break; sleep 0.2; done
strace -f -c -o /tmp/strace.$$.txt -e trace=sendmmsg,recvmmsg,epoll_pwait2,epoll_wait,epoll_pwait,write,read,futex,sendto,recvfrom $J --enable-native-access=ALL-UNNAMED "$@" -cp "$CP" "$(dirname "$0")"/RttProbe.java client $sw $n
kill $sp; kill $(cat /tmp/sw.$$.pid); rm -rf $sw /tmp/sw.$$.pid
grep -E 'sendmmsg|recvmmsg|epoll|write|read|futex|total' /tmp/strace.$$.txt | awk '{print $NF, $(NF-1) , $(NF-2)}'
