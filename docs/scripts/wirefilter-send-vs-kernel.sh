#!/bin/sh
# jnet SENDING through wirefilter (LOSS % loss, 5+3 ms, 1 % dup) against Linux sending on the same
# path, alternated, RUNS transfers of MIB each per stack and role; medians, spread, ratio.
# Usage (from the repository root, as root): docs/scripts/wirefilter-send-vs-kernel.sh LOSS [CC] [RUNS] [MIB] [ROLES]
#   e.g. docs/scripts/wirefilter-send-vs-kernel.sh 5 bbr 5 16 client,server
# CC (bbr or cubic) is set on both stacks. Timings: run it alone (here under the shared bench lock).
set -eu
loss=${1:?LOSS percent}; cc=${2:-bbr}; runs=${3:-5}; mib=${4:-16}; roles=${5:-client,server}
lock=${BENCH_LOCK:-/work/wt/bench.lock}
run() { if [ -e "$lock" ]; then flock "$lock" "$@"; else "$@"; fi; }
run ./mvnw -B -q -o -pl jioth-jnet -am test -Dtest=WirefilterRanking -Dsurefire.failIfNoSpecifiedTests=false \
    -Djioth.rankLoss="$loss" -Djioth.rankCc="$cc" -Djioth.rankRuns="$runs" -Djioth.rankMiB="$mib" \
    -Djioth.rankRoles="$roles" | grep -v '^\[' | sed -n "/^ranking:/,/load at the end/p;/^      t=/p"
