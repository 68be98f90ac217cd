#!/bin/bash
# rtt-probe.sh with the client JVM under strace -f -c: system calls per run (diff two N for per round trip).
# usage: rtt-syscalls.sh DIR N [java options]
RTT_STRACE=1 exec "$(dirname "$0")"/rtt-probe.sh "$@"
