#!/usr/bin/env python3
"""Pools the per-transfer lines of docs/scripts/wirefilter-ab.sh logs by loss, role and tree:
transfers, ratio of pooled medians (jnet/Linux), both medians, and jnet's mean time held by
cwnd and by the peer's window (ms), retransmissions, timeouts per transfer, and the median
estimate when STARTUP ended (with how many transfers ended it below 15 MB/s).
Usage: docs/scripts/wirefilter-pool.py LOG..."""
import re
import statistics as st
import sys
from collections import defaultdict

cells = defaultdict(lambda: {'linux': [], 'jnet': [], 'cwnd': [], 'rwnd': [], 'retrans': [], 'timeouts': [], 'startup': []})
for name in sys.argv[1:]:
    tree = loss = role = None
    for line in open(name):
        m = re.match(r'=== round \d+ dir (\S+) loss (\d+)', line)
        if m:
            tree, loss = m.groups()
            continue
        m = re.match(r'  (client|server) sending', line)
        if m:
            role = m.group(1)
            continue
        m = re.match(r'\s+\d+: Linux\s+([\d.]+) s, jnet\s+([\d.]+) s\s+(.*)', line)
        if not (m and tree):
            continue
        c = cells[(loss, role, tree)]
        c['linux'].append(float(m.group(1)))
        c['jnet'].append(float(m.group(2)))
        rest = m.group(3)
        held = re.search(r'limited=\S*?\bcwnd=(\d+)', rest)
        c['cwnd'].append(int(held.group(1)) if held else 0)
        rwnd = re.search(r'limited=\S*?\brwnd=(\d+)', rest)
        c['rwnd'].append(int(rwnd.group(1)) if rwnd else 0)
        c['retrans'].append(int(re.search(r'\bretrans=(\d+)', rest).group(1)))
        c['timeouts'].append(int(re.search(r'\btimeouts=(\d+)', rest).group(1)))
        startup = re.search(r'startupbw=(\d+)', rest)
        if startup:
            c['startup'].append(int(startup.group(1)) / 1e6)
for (loss, role, tree), c in sorted(cells.items()):
    linux, jnet = st.median(c['linux']), st.median(c['jnet'])
    low = sum(1 for b in c['startup'] if b < 15)
    startup = f"{st.median(c['startup']):.1f} MB/s ({low} below 15)" if c['startup'] else '-'
    print(f"{loss} % {role} {tree}: n={len(c['jnet'])} ratio {jnet / linux:.2f} (jnet {jnet:.2f} s, Linux {linux:.2f} s)"
          f" cwnd-held {st.mean(c['cwnd']):.0f} ms, rwnd-held {st.mean(c['rwnd']):.0f} ms, retrans {st.mean(c['retrans']):.0f},"
          f" timeouts {st.mean(c['timeouts']):.2f}, STARTUP ended at {startup}")
