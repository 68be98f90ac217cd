#!/bin/bash
# One jnet<->jnet bulk transfer across Debian's vde_switch (`ioth bench stack --stacks jnet --network
# vde_switch-2proc`, 6 s) and its exact counts per MB from the bench's own port and stack counters:
# data frames per ACK frame (the receiver's ACK clock), the sender's frames per sendmmsg, loop sleeps
# per MB and ACKs read per receive (its wake-ups on the ACK clock), the receiver's frames per
# recvmmsg, wake-ups per MB (loop sleeps + lent waits) and sends per MB, and the share of the time
# the sender was held by the receiver's window; and each JVM's CPU per MB (whole run: user, system, its
# JIT compiler and GC threads, and 'stack', the rest). The rate is a timing: run it under the bench lock.
# Usage: bulk-ack-counts.sh LABEL JAR [JAVA OPTIONS for both JVMs...]   (WARMUP=seconds of bulk before
# the measured 6 s, default 1; NICE=-19 to run the path
# ahead of other work on a shared machine)
set -euo pipefail
L=${1:?usage: bulk-ack-counts.sh LABEL JAR [JAVA OPTIONS...]}; JAR=${2:?JAR}; shift 2
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
OUT=$(mktemp /tmp/bulk-ack-counts.XXXXXX)
l0=$(cut -d' ' -f1 /proc/loadavg)
nice -n "${NICE:-0}" "$JAVA" "$@" -Djioth.bench.peerJavaOptions="$*" -jar "$JAR" bench stack --stacks jnet \
    --network vde_switch-2proc --seconds 6 --warmup "${WARMUP:-1}" --round-trips 10 --connections 10 > "$OUT" 2>&1 &
BENCH=$!
# Each JVM's CPU (the bench's and its server child's), sampled until it exits: user and system ticks
# of the process, and the ticks of its live JIT compiler and GC threads (the largest of the samples counts).
cpu() { # cpu PID ROLE: one line "ROLE user sys jit gc" (10 ms ticks)
  local jit=0 gc=0 t c v
  for t in /proc/$1/task/*; do
    c=$(cat $t/comm 2>/dev/null); v=$(awk '{print $14 + $15}' $t/stat 2>/dev/null || echo 0)
    case $c in C1\ Comp*|C2\ Comp*) jit=$((jit + v)) ;; G1*|GC*) gc=$((gc + v)) ;; esac
  done
  echo "$2 $(awk '{print $14, $15}' /proc/$1/stat 2>/dev/null || echo 0 0) $jit $gc"
}
while kill -0 $BENCH 2>/dev/null; do
  C=
  for c in $(pgrep -P $BENCH || true); do [[ $(readlink /proc/$c/exe 2>/dev/null) == */java ]] && C=$c; done
  { cpu $BENCH client; [ -n "$C" ] && cpu $C server; } >> "$OUT.cpu" || true
  sleep 0.1
done
wait $BENCH
python3 - "$OUT" "$L" "$l0 $(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import sys, re
t = open(sys.argv[1]).read(); label = sys.argv[2]
try:
    cpu = {}
    for f in (l.split() for l in open(sys.argv[1] + '.cpu')):
        if len(f) == 5:
            cpu[f[0]] = [max(a, int(b)) for a, b in zip(cpu.get(f[0], [0] * 4), f[1:])]
except OSError:
    cpu = {}
def g(p):
    m = re.search(p, t)
    if not m:
        sys.exit(f'not in the bench output: {p}\n{t}')
    return m
m = g(r'jnet over vde_switch.*\n  bulk: ([\d.]+) Gbit/s \((\d+) MiB')
rate, mib = float(m.group(1)), int(m.group(2))
out, sends, fin, recvs, sleeps = map(int, g(r'client port, bulk: (\d+) frames out in (\d+) sends .*?, (\d+) frames in by (\d+) receives .*?, (\d+) loop sleeps').groups())
# the receiver's counters cover its whole run; with 10 round trips and 10 connections that is the bulk
pout, psends, pin, precv, psl, plt, plw = map(int, g(r'server port in all: (\d+) frames out in (\d+) sends .*?, (\d+) frames in by (\d+) receives .*?, (\d+) loop sleeps, (\d+) lent turns, (\d+) lent waits').groups())
rwnd = re.search(r'held back by: rwnd ([\d.]+) %', t)
mb = mib * 1.048576
print(f'{label:8s} {rate:6.3f} Gbit/s (load {sys.argv[3]}); data frames per ACK {out / fin:5.1f}; '
      f'sender {out / sends:4.1f} frames/sendmmsg, {sleeps / mb:5.1f} sleeps/MB, {fin / recvs:3.1f} ACKs/receive; '
      f'receiver {pin / precv:4.1f} frames/recvmmsg, {(psl + plw) / mb:5.1f} wake-ups/MB ({psl / mb:.1f} sleeps + {plw / mb:.1f} lent waits), '
      f'{psends / mb:5.1f} sends/MB; rwnd-limited {rwnd.group(1) if rwnd else "?"} %')
# CPU per MB of everything the receiver took in (bulk and warm-up: its frames in, 1,514 bytes each),
# over each JVM's whole run, start-up included; 'stack' leaves out the JIT compiler and GC threads
allmb = pin * 1514 / 1e6
for role in ('client', 'server'):
    if role in cpu:
        u, s_, j, g = cpu[role]
        print(f'{"":8s} {role} JVM CPU ms per MB (whole run, {allmb:.0f} MB): user {u * 10 / allmb:.2f}, system {s_ * 10 / allmb:.2f}, '
              f'JIT {j * 10 / allmb:.2f}, GC {g * 10 / allmb:.2f}; stack {(u + s_ - j - g) * 10 / allmb:.2f}')
PY
rm -f "$OUT" "$OUT.cpu"
