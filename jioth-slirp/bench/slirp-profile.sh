#!/usr/bin/env bash
# Where the gateway's CPU goes per byte: one `ioth plug slirp:///mtu=1500 tap://TAP/offload=1` (this
# checkout, or ROOT) serving a namespace guest that fetches FETCHES × 64 MiB from the host's 127.0.0.1
# (SlirpBench.java client, after 3 warm-ups), then prints the plug's CPU time per thread (utime+stime
# from /proc/PID/task/*/stat, in clock ticks) and the bytes fetched, so CPU per byte follows. With
# PROFILE=jfr the plug records JDK 25's CPU-time samples to OUT.jfr (`jfr print --events
# jdk.CPUTimeSample OUT.jfr`); with PROFILE=syscalls, `perf stat --per-thread` counts the plug's
# system calls (all, read, write, poll, futex) during the fetches into OUT.syscalls (exact counts, at
# little cost). Needs root and udhcpc (and perf for PROFILE=syscalls).
# Usage: slirp-profile.sh [FETCHES] [OUT] (ROOT=..., SLIRP=slirp:///mtu=1500, TAPOPTS=/offload=1,
# PLUG_JAVA_OPTS: more options for the gateway JVM)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "${ROOT:-$here/../..}" && pwd)
. "$here/../../.mvn/jdk25.sh"
java="$JAVA_HOME/bin/java"
fetches=${1:-10}
out=${2:-/tmp/slirp-profile}
slirp=${SLIRP:-slirp:///mtu=1500}
tapopts=${TAPOPTS-/offload=1}
http=18094
echo_port=18095
ns=slirpprof-$$
tap=sprof$$
. "$here/slirp-lab.sh"
lab_start
"$root/ioth" help > /dev/null 2>&1 # build first if the sources changed
opts=""
case "${PROFILE:-}" in
  jfr) opts="-XX:StartFlightRecording=filename=$out.jfr,settings=profile,jdk.CPUTimeSample#enabled=true,jdk.CPUTimeSample#throttle=2ms" ;;
esac
ip netns add "$ns"; namespaces+=("$ns")
IOTH_JAVA_OPTS="$opts ${PLUG_JAVA_OPTS-}" "$root/ioth" plug "$slirp" "tap://$tap$tapopts" > "$work/plug.log" 2>&1 &
plug=$!
pids+=($plug)
lab_guest_tap "$ns" "$tap"
jpid=$(pgrep -P "$plug" java || echo "$plug")
cpu() { # utime+stime ticks of the plug's threads, summed by thread name (digits dropped)
  for t in /proc/"$jpid"/task/*; do
    echo "$(awk '{s=$0; sub(/^.*\) /, "", s); split(s, f, " "); print f[12]+f[13]}' "$t/stat") $(tr ' ' _ < "$t/comm" | tr -d '0-9')"
  done | awk '{c[$2]+=$1} END {for (k in c) print c[k], k}'
  # the whole process, threads that ended (each fetch's splice threads) included
  echo "$(awk '{s=$0; sub(/^.*\) /, "", s); split(s, f, " "); print f[12]+f[13]}' /proc/"$jpid"/stat) WHOLE_PROCESS"
}
cpu > "$work/cpu-before"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
perf_pid=
if [ "${PROFILE:-}" = syscalls ]; then
  perf stat --per-thread -e raw_syscalls:sys_enter,syscalls:sys_enter_read,syscalls:sys_enter_write,syscalls:sys_enter_poll,syscalls:sys_enter_futex \
    -p "$jpid" -o "$out.syscalls" &
  perf_pid=$!
fi
timeout 600 ip netns exec "$ns" "$java" -XX:+UseSerialGC "$work/SlirpBench.java" client 10.0.2.2 $http $echo_port "$fetches" 1000 | grep -E "^fetch|RESULT"
cpu > "$work/cpu-after"
if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true; fi
echo "plug CPU ticks (100/s) per thread group during the timed fetches and 3 warm-ups, $(( (fetches + 3) * 64 )) MiB:"
join -1 2 -2 2 <(awk '{print $1, $2}' "$work/cpu-before" | sort -k2) <(awk '{print $1, $2}' "$work/cpu-after" | sort -k2) \
  | awk '{printf "%6d %s\n", $3-$2, $1}' | sort -rn | head -12
kill "$plug"; wait "$plug" 2>/dev/null || true
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
