#!/bin/bash
# Where the frames of a jnet<->jnet bulk transfer across Debian's vde_switch wait: samples
# `ss -xmpa` (AF_UNIX datagram sockets) SAMPLES times, 50 ms apart, from 3 s into the 8-s bulk phase of
# `ioth bench stack --stacks jnet --network vde_switch-2proc`, and prints per direction the bytes
# each socket has queued toward its peer (skmem t: not yet read by the peer) in full frames (a
# 1,514-byte frame is charged 2,304 bytes), mean and max:
#   sender -> switch   frames the switch has not read yet (the switch lags)
#   switch -> receiver frames the receiving stack has not read yet (the receiver lags; past ~92
#                      frames the switch drops)
# plus the reverse (ACK) directions, in ACKs (an ACK datagram is charged 768 bytes). Exact counts,
# no timing: usable under load.
# Usage: switch-queues.sh JAR [SAMPLES] [JAVA OPTIONS for both JVMs...]
set -euo pipefail
JAR=${1:?usage: switch-queues.sh JAR [SAMPLES] [JAVA OPTIONS...]}; SAMPLES=${2:-40}; shift $(( $# >= 2 ? 2 : 1 ))
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
OUT=$(mktemp -d /tmp/switch-queues.XXXXXX)
"$JAVA" "$@" -Djioth.bench.peerJavaOptions="$*" -jar "$JAR" bench stack --stacks jnet --network vde_switch-2proc \
    --seconds 8 --warmup 1 --megabytes 100000 --round-trips 10 --connections 10 > "$OUT/bench.txt" 2>&1 &
BENCH=$!
until grep -q 'jnet over vde_switch' "$OUT/bench.txt" 2>/dev/null; do
    kill -0 $BENCH 2>/dev/null || { cat "$OUT/bench.txt"; exit 1; }
    sleep 0.1
done
sleep 3
for _ in $(seq "$SAMPLES"); do ss -xmpa 2>/dev/null | grep '^u_dgr' | grep -E 'vde_switch|java' || true; echo '---'; sleep 0.05; done > "$OUT/ss.txt"
wait $BENCH
grep -E '^  (bulk|client sender)' "$OUT/bench.txt" | sed -n 2,3p
python3 - "$OUT/ss.txt" "$BENCH" <<'PY'
import sys, re, collections
samples = open(sys.argv[1]).read().split('---\n'); bench = sys.argv[2]
t = collections.defaultdict(list); who = {}; peer = {}
for s in samples:
    for l in s.splitlines():
        m = re.search(r'^u_dgr\s+\S+\s+\d+\s+\d+\s+\S+\s+(\d+)\s+\S+\s+(\d+).*users:\(\("([^"]+)",pid=(\d+).*skmem:\(r\d+,rb\d+,t(\d+)', l)
        if m:
            ino, pino, comm, pid, tq = m.groups()
            who[ino] = 'sender' if pid == bench else ('switch' if comm == 'vde_switch' else 'receiver')
            peer[ino] = pino; t[ino].append(int(tq))
for ino, v in sorted(t.items(), key=lambda x: who[x[0]]):
    if max(v) == 0:
        continue  # the control sockets, the loopback pair's
    if who[ino] == 'switch':
        name = 'switch -> ' + who.get(peer[ino], '?')
    else:
        name = who[ino] + ' -> switch'
    # a full data frame is charged 2,304 bytes, an ACK (66-78 bytes) 768: count each direction in its own unit
    unit, what = (768, 'ACKs  ') if name in ('receiver -> switch', 'switch -> sender') else (2304, 'frames')
    print(f'{name:20s} {what} queued: mean {sum(v) / len(v) / unit:5.1f}, max {max(v) / unit:5.1f} ({len(v)} samples)')
PY
rm -rf "$OUT"
