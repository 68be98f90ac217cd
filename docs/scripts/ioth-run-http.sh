#!/bin/bash
# curl in namespace A fetches a 256 MiB file from jwebserver: (1) on jnet via ioth run, (2) on the Linux kernel in namespace B; all on one vde_switch.
# Run as root from anywhere in the repository; JAVA_HOME must be a JDK 25. TARGETS and RUNS select what is measured.
. "$(dirname "$0")/../../.mvn/jdk25.sh"
set -u
cd "$(dirname "$0")/../.."
T=$(mktemp -d /tmp/runbench.XXXX)
head -c $((256<<20)) /dev/urandom > $T/blob.bin
vde_switch -s $T/sw -d -p $T/sw.pid </dev/null; sleep 1
for ns in jrbA jrbB; do ip netns add $ns; done
ip netns exec jrbA vde_plug tap://jrbta vde://$T/sw >/dev/null 2>&1 & PA=$!
ip netns exec jrbB vde_plug tap://jrbtb vde://$T/sw >/dev/null 2>&1 & PB=$!
sleep 1
ip -n jrbA addr add 192.168.250.1/24 dev jrbta; ip -n jrbA link set jrbta up; ip -n jrbA link set lo up
ip -n jrbB addr add 192.168.250.2/24 dev jrbtb; ip -n jrbB link set jrbtb up; ip -n jrbB link set lo up
./ioth run jnet vde://$T/sw --conf eth,ip=192.168.250.50/24 -- -m jdk.httpserver -b 0.0.0.0 -p 8000 -d $T -o NONE > $T/jnet.log 2>&1 & PJ=$!
ip netns exec jrbB "$JAVA_HOME"/bin/java -m jdk.httpserver -b 0.0.0.0 -p 8000 -d $T -o NONE > $T/kern.log 2>&1 & PK=$!
sleep 5
for target in ${TARGETS:-192.168.250.50 192.168.250.2}; do
  ip netns exec jrbA curl -s -o /dev/null -m 120 http://$target:8000/blob.bin   # warm-up
  for i in $(seq ${RUNS:-5}); do
    echo "$target run $i: $(ip netns exec jrbA curl -sS -o $T/got.bin -m 120 -w '%{speed_download} B/s %{time_total} s' http://$target:8000/blob.bin) $(cmp -s $T/got.bin $T/blob.bin && echo byte-exact)"
  done
done
kill $PJ $PK $PA $PB; wait $PJ $PK $PA $PB 2>/dev/null
kill $(cat $T/sw.pid)
ip netns del jrbA; ip netns del jrbB
rm -rf $T
