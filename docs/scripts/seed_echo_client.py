#!/usr/bin/env python3
"""Client of seed-echo-vs-kernel.sh, run inside the client namespace: measures one job against an
echo server (ioth server's protocol: whatever is written comes back) and, when SPID names the
server's process, the CPU that process used during the job (utime + stime from /proc).

  stream HOST PORT SECONDS   full duplex: one thread writes 256 KiB chunks for SECONDS, then
                             half-closes; this one reads the echo to EOF; MB/s echoed (10^6 B/s,
                             one direction) from an eighth of the time on
  churn HOST PORT SECONDS MAX  connect, 1 byte, its echo, close; one after the other
  rtt HOST PORT COUNT        1-byte round trips with TCP_NODELAY; the median
"""
import os, socket, sys, threading, time


def stream(host, port, secs):
    s = socket.create_connection((host, port), timeout=30)
    chunk = b'x' * 262144

    def writer():
        end = time.time() + secs
        while time.time() < end:
            s.sendall(chunk)
        s.shutdown(socket.SHUT_WR)
    t = threading.Thread(target=writer)
    t.start()
    start = time.time()
    count, mark = 0, None
    while True:
        b = s.recv(262144)
        if not b:
            break
        count += len(b)
        now = time.time()
        if mark is None and now - start >= secs / 8:
            mark = (now, count)
    end = time.time()
    t.join()
    s.close()
    return (count - mark[1]) / (end - mark[0]) / 1e6


def churn(host, port, secs, most):
    n, start = 0, time.time()
    while n < most and time.time() - start < secs:
        s = socket.create_connection((host, port), timeout=10)
        s.sendall(b'a')
        if s.recv(1) != b'a':
            raise SystemExit('no echo')
        s.close()
        n += 1
    return n / (time.time() - start)


def rtt(host, port, count):
    s = socket.create_connection((host, port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    times = []
    for _ in range(count):
        t0 = time.perf_counter()
        s.sendall(b'a')
        s.recv(1)
        times.append(time.perf_counter() - t0)
    s.close()
    times.sort()
    return times[len(times) // 2] * 1e6


def cpu_millis(pid):
    fields = open('/proc/%s/stat' % pid).read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf('SC_CLK_TCK')


mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
pid = os.environ.get('SPID')
c0, w0 = (cpu_millis(pid) if pid else 0), time.time()
if mode == 'stream':
    r = stream(host, port, float(sys.argv[4]))
    line, units = '%s stream %.1f MB/s' % (host, r), ('MB', r * (time.time() - w0) * 2)
elif mode == 'churn':
    r = churn(host, port, float(sys.argv[4]), int(sys.argv[5]))
    line, units = '%s churn %.0f conn/s' % (host, r), ('conn', r * (time.time() - w0))
else:
    r = rtt(host, port, int(sys.argv[4]))
    line, units = '%s rtt median %.1f us' % (host, r), None
if pid:
    c, w = cpu_millis(pid) - c0, time.time() - w0
    line += '  server CPU %.0f ms in %.1f s' % (c, w)
    if units:
        line += ', %.2f ms per %s' % (c / units[1], units[0])
print(line)
