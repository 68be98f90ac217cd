#!/bin/bash
# Exact heap allocation of a running JVM per unit of work, by thread group, with JFR:
#   jfr-alloc-per-unit.sh PID UNITS COMMAND...
# records jdk.ThreadAllocationStatistics (each thread's allocated bytes, every second) on PID while
# COMMAND runs (e.g. `ip netns exec NS ab -q -c20 -n 10000 http://H:8080/`, UNITS=10000), then prints
# the growth summed over all threads and per thread group (names without their numbers), per unit.
# Virtual threads' allocation is counted on the carrier threads (ForkJoinPool-1-worker).
. "$(dirname "$0")/../../.mvn/jdk25.sh"
set -u
P=$1; N=$2; shift 2
F=$(mktemp /tmp/jfralloc.XXXX.jfr)
"$JAVA_HOME"/bin/jcmd $P JFR.start name=allocunit filename=$F 'jdk.ThreadAllocationStatistics#enabled=true' \
  'jdk.ThreadAllocationStatistics#period=1s' >/dev/null || exit 1
sleep 2
"$@"
sleep 2
"$JAVA_HOME"/bin/jcmd $P JFR.stop name=allocunit >/dev/null
"$JAVA_HOME"/bin/jfr print --json --events jdk.ThreadAllocationStatistics $F > $F.json
python3 - $F.json $N <<'PY'
import collections, json, re, sys
events = json.load(open(sys.argv[1]))['recording']['events']
units = int(sys.argv[2])
first, last, name = {}, {}, {}
for e in events:
    t = e['values']['thread']
    if not t:
        continue
    k, a = t['javaThreadId'], e['values']['allocated']
    first.setdefault(k, a)
    last[k] = a
    name[k] = t['javaName'] or t.get('osName') or '?'
groups = collections.Counter()
for k in last:
    groups[re.sub(r'[-#]?\d+$', '', name[k])] += last[k] - first[k]
print('allocated per unit: %.0f bytes' % (sum(groups.values()) / units))
for g, b in groups.most_common(8):
    if b > 0:
        print('  %8.0f  %s' % (b / units, g))
PY
rm -f $F $F.json
