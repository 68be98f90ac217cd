#!/bin/bash
# jnet <-> jnet connection churn across a Debian vde_switch, two JVMs (ChurnProbe.java), both under
# perf stat: system calls by kind and context switches of the client and of the server JVM per run
# (diff two N for the count per connection), with the probes' loop and port counters.
# usage: churn-syscalls.sh DIR N [java options for both JVMs]   (DIR holds jioth-cli.jar and lib/)
# EVENTS: perf events instead of the default set. SERVER_OPTS / CLIENT_OPTS: java options for one side only. PERF=0 runs without perf (for the rate alone; the rate is a timing: under flock on a shared machine).
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
d=$1; n=$2; shift 2
T=$(mktemp -d /tmp/churn.XXXX)
vde_switch -s $T/sw -d -p $T/sw.pid >/dev/null 2>&1 </dev/null
sleep 0.5
CP="$d/jioth-cli.jar:$d/lib/*"
P="$(dirname "$0")"/ChurnProbe.java
EV=task-clock,raw_syscalls:sys_enter,context-switches
for c in futex epoll_pwait2 epoll_ctl timerfd_settime sendmmsg recvmmsg write read; do EV=$EV,syscalls:sys_enter_$c; done
EV=${EVENTS:-$EV} # EVENTS=task-clock,context-switches,cpu-migrations: light counting (system call tracepoints slow every call: the churn's rate gap vanishes under them)
trace() { # trace OUT: the perf stat prefix, or nothing with PERF=0
  [ "${PERF:-1}" = 1 ] && echo /usr/bin/perf stat -e $EV -o $1 --
}
mkfifo $T/in
$(trace $T/server.strace) $J --enable-native-access=ALL-UNNAMED "$@" ${SERVER_OPTS:-} -cp "$CP" "$P" server $T/sw < $T/in > $T/server.log 2>&1 &
sp=$!
exec 3> $T/in
for i in $(seq 1 150); do grep -q ready $T/server.log 2>/dev/null && break; sleep 0.2; done
$(trace $T/client.strace) $J --enable-native-access=ALL-UNNAMED "$@" ${CLIENT_OPTS:-} -cp "$CP" "$P" client $T/sw $n
exec 3>&-
wait $sp
grep '^server' $T/server.log
for side in client server; do
  [ -f $T/$side.strace ] && echo "$side: $(awk '$1 ~ /^[0-9,.]+$/ {gsub(",", "", $1); sub("syscalls:sys_enter_", "", $2); sub("raw_syscalls:sys_enter", "all", $2); printf "%s %s, ", $2, $1}' $T/$side.strace)"
done
kill $(cat $T/sw.pid); rm -rf $T
