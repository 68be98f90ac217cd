#!/usr/bin/env bash
# A guest's one-way bulk upload through `slirp://` (jnet receives it over the plug's tap) from two
# jioth builds and through Debian's slirp4netns, alternated in each round: the guest (a namespace
# behind the tap, leased by DHCP as in jioth-slirp/bench's scripts) sends for SECONDS_PER_RUN
# seconds to a sink on the host's loopback, reached as 10.0.2.2; the sink prints the rate, the
# sender's `ss -ti` a second before its end the window it saw (snd_wnd) and its retransmissions. Needs
# root, udhcpc, slirp4netns, python3. Usage: upload-through-slirp-vs-slirp4netns.sh ROOT_A [ROUNDS]
# (ROOT_A another checkout's root, built; this checkout is B). Wrap it in `flock /work/wt/bench.lock`
# on a shared machine.
set -euo pipefail
here=$(cd "$(dirname "$0")/../../jioth-slirp/bench" && pwd)
root_b=$(cd "$(dirname "$0")/../.." && pwd)
root_a=$(cd "$1" && pwd)
rounds=${2:-3}
secs=${SECONDS_PER_RUN:-4}
. "$root_b/.mvn/jdk25.sh"
java="$JAVA_HOME/bin/java"
http=18094
echo_port=18095
sink=18096
. "$here/slirp-lab.sh"
lab_start
cat > "$work/sink.py" <<'PY'
import socket, sys, time
# counts what each connection sends until it closes, prints MB/s
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(4)
print('listening', flush=True)
while True:
    c, _ = s.accept(); n = 0; t0 = None
    while True:
        b = c.recv(1 << 20)
        if not b:
            break
        if t0 is None:
            t0 = time.monotonic()
        n += len(b)
    print('%.1f MB/s' % (n / (time.monotonic() - t0) / 1e6), flush=True); c.close()
PY
cat > "$work/send.py" <<'PY'
import socket, sys, time
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=30)
chunk, end = b'x' * 262144, time.time() + float(sys.argv[3])
while time.time() < end:
    c.sendall(chunk)
c.close()
PY
python3 "$work/sink.py" $sink > "$work/sink.log" 2>&1 &
pids+=($!)
until grep -q listening "$work/sink.log"; do sleep 0.1; done
upload() { # namespace, label
  local before; before=$(grep -c MB/s "$work/sink.log" || true)
  (sleep $((secs - 1)); ip netns exec "$1" ss -tin dst 10.0.2.2 | tr -s ' ' | tail -1 > "$work/ss") &
  ip netns exec "$1" timeout 60 python3 "$work/send.py" 10.0.2.2 $sink "$secs"
  wait $!
  for _ in $(seq 100); do [ "$(grep -c MB/s "$work/sink.log")" -gt "$before" ] && break; sleep 0.1; done
  echo "$2: $(grep MB/s "$work/sink.log" | tail -1); sender:$(grep -o ' rtt:[^ ]*\| snd_wnd:[^ ]*\| retrans:[^ ]*\| rwnd_limited:[^ ]*' "$work/ss" | tr -d '\n')"
}
"$root_a/ioth" help > /dev/null 2>&1 # build first if the sources changed
"$root_b/ioth" help > /dev/null 2>&1
for r in $(seq "$rounds"); do
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M:%S) UTC"
  lab_jioth_row "slirpup-${r}A-$$" "sup${r}A$$" upload "round $r: jioth A ($root_a)" \
    "$root_a" slirp:///mtu=1500 /offload=1 "${IOTH_JAVA_OPTS-}"
  lab_jioth_row "slirpup-${r}B-$$" "sup${r}B$$" upload "round $r: jioth B ($root_b)" \
    "$root_b" slirp:///mtu=1500 /offload=1 "${IOTH_JAVA_OPTS-}"
  lab_slirp4netns_row "slirpup-s$r-$$" 1500 upload "round $r: slirp4netns --configure --mtu=1500"
done
