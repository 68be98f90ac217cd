#!/bin/bash
# One jnet<->jnet bulk transfer across Debian's vde_switch (`ioth bench stack --stacks jnet --network
# vde_switch-2proc`, 6 s) and its exact counts per MB from the bench's own port and stack counters:
# data frames per ACK frame (the receiver's ACK clock), the sender's frames per sendmmsg, loop sleeps
# per MB and ACKs read per receive (its wake-ups on the ACK clock), the receiver's frames per
# recvmmsg, wake-ups per MB (loop sleeps + lent waits) and sends per MB, and the share of the time
# the sender was held by the receiver's window. The rate is a timing: run it under the bench lock.
# Usage: bulk-ack-counts.sh LABEL JAR [JAVA OPTIONS for both JVMs...]   (NICE=-19 to run the path
# ahead of other work on a shared machine)
set -euo pipefail
L=${1:?usage: bulk-ack-counts.sh LABEL JAR [JAVA OPTIONS...]}; JAR=${2:?JAR}; shift 2
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
OUT=$(mktemp /tmp/bulk-ack-counts.XXXXXX)
l0=$(cut -d' ' -f1 /proc/loadavg)
nice -n "${NICE:-0}" "$JAVA" "$@" -Djioth.bench.peerJavaOptions="$*" -jar "$JAR" bench stack --stacks jnet \
    --network vde_switch-2proc --seconds 6 --warmup 1 --round-trips 10 --connections 10 > "$OUT" 2>&1
python3 - "$OUT" "$L" "$l0 $(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import sys, re
t = open(sys.argv[1]).read(); label = sys.argv[2]
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
PY
rm -f "$OUT"
