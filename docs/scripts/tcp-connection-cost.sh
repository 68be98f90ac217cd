#!/bin/bash
# What a jnet TcpConnection costs in two builds, alternated (docs/scripts/TcpConnectionCost.java):
#   tcp-connection-cost.sh BASE_CLASSES NEW_CLASSES [LOSS] [CC] [PUSHES_BACK] [PAIRS]
# where each *_CLASSES is a jioth-jnet jar or target/classes directory of a built tree (jioth-api
# beside it is found the same way), e.g. /tmp/base/jioth-jnet/target/classes jioth-jnet/target/classes.
# Prints per build: the exact bytes of a new TcpConnection, the thread CPU time per MiB of bulk and
# per 1-byte ping-pong (medians of rounds 3-12: a timing, so run it under the bench lock and read
# base and new of the same pair together), bytes allocated per MiB and per ping-pong, and a hash
# of every segment sent: the same hash in both builds means the same segments on the wire.
. "$(dirname "$0")/../../.mvn/jdk25.sh"
set -u
BASE=$1; NEW=$2; LOSS=${3:-0}; CC=${4:-cubic}; PB=${5:-false}
T=$(mktemp -d /tmp/tcpcost.XXXX); trap 'rm -rf $T' EXIT
api() { # the jioth-api classes beside a jioth-jnet jar or classes directory
  case $1 in
    *.jar) ls $(dirname $1)/jioth-api-*.jar ;;
    *) echo ${1%/jioth-jnet/target/classes}/jioth-api/target/classes ;;
  esac
}
for v in base new; do
  J=$BASE; [ $v = new ] && J=$NEW
  mkdir -p $T/$v && "$JAVA_HOME"/bin/javac -d $T/$v -cp "$J:$(api $J)" "$(dirname "$0")/TcpConnectionCost.java" || exit 1
done
for i in $(seq ${6:-3}); do for v in base new; do
  J=$BASE; [ $v = new ] && J=$NEW
  "$JAVA_HOME"/bin/java -cp "$T/$v:$J:$(api $J)" TcpConnectionCost 128 20000 $LOSS 12 $CC $PB | python3 -c "
import re, statistics, sys
b, p, last = [], [], ''
for l in sys.stdin:
    m = re.search(r'bulk ([\d.]+) us CPU/MiB, (\d+) B alloc/MiB; ping-pong ([\d.]+) us CPU, ([\d.]+) B alloc', l)
    if m:
        b.append(float(m.group(1))); p.append(float(m.group(3))); alloc = m.group(2) + ' B/MiB, ' + m.group(4) + ' B/ping-pong'
    elif 'new TcpConnection' in l:
        ctor = l.strip()
    else:
        last = l.strip()
print('$v: %s; bulk %.0f us CPU/MiB, ping-pong %.2f us CPU (medians of rounds 3-12); %s; %s' % (ctor, statistics.median(b[2:]), statistics.median(p[2:]), alloc, last))"
done; done
