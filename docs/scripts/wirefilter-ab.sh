#!/bin/bash
# Ranks builds against each other through wirefilter: ROUNDS rounds, each runs
# wirefilter-send-vs-kernel.sh (BBR, 5 transfers of 16 MiB per role) at every LOSS in every
# TREE in turn, appending to LOG; docs/scripts/wirefilter-pool.py LOG then pools the transfers
# per tree, loss and role. Each run takes the bench lock itself: never wrap this in flock.
# Usage: docs/scripts/wirefilter-ab.sh LOG ROUNDS "LOSSES" TREE...
#   e.g. docs/scripts/wirefilter-ab.sh /tmp/ab.log 4 "1 5" /tmp/base /work/wt/loss
set -u
log=${1:?LOG}; rounds=${2:?ROUNDS}; losses=${3:?LOSSES}; shift 3
for r in $(seq 1 "$rounds"); do
  for loss in $losses; do
    for tree in "$@"; do
      echo "=== round $r dir $tree loss $loss $(date -u +%T) $(uptime)" >> "$log"
      (cd "$tree" && docs/scripts/wirefilter-send-vs-kernel.sh "$loss" bbr 5 16) >> "$log" 2>&1
    done
  done
done
echo "=== done $(date -u +%T)" >> "$log"
