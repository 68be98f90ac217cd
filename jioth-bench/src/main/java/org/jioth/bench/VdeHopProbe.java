package org.jioth.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;
import org.jioth.vde.EthernetNode;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;
import org.jioth.vde.FrameSink;

/**
 * A latency probe for the bare Ethernet path, without any TCP/IP stack: one raw 64-byte frame
 * ping-ponged between two of our ports, to tell how much of a stack round trip is the switch and
 * its socket hops. The echo side answers on the port's delivery thread (the reactor); the ping
 * side waits for the answer three ways: spinning on a flag (no wake-up on our side), parking a
 * platform thread (one hand-off, like the reactor waking jnet's stack loop) and parking a virtual
 * thread (like the reactor waking an application thread).
 *
 * <p>Usage: {@code VdeHopProbe local VNL|injvm [ROUND_TRIPS]} (both ports in this JVM),
 * {@code VdeHopProbe echo VNL SECONDS} (the echo side alone, e.g. in a second JVM) and
 * {@code VdeHopProbe ping VNL [ROUND_TRIPS]} (the ping side against such an echo). A manual tool:
 * prints medians and 99th percentiles in microseconds on stdout.
 */
public final class VdeHopProbe {
    private static final byte[] PING_MAC = {2, 0, 0, 0x70, 0, 0x0a};
    private static final byte[] ECHO_MAC = {2, 0, 0, 0x70, 0, 0x0b};
    private static final int ETHERTYPE = 0x88b5; // IEEE local experimental
    private static final long TIMEOUT_NANOS = 2_000_000_000L;

    private VdeHopProbe() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: VdeHopProbe local|echo|ping VNL|injvm [ROUND_TRIPS|SECONDS]");
            System.exit(2);
        }
        String role = args[0];
        String vnl = args[1];
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        switch (role) {
            case "echo" -> {
                try (EthernetPort echo = EthernetPorts.open(vnl)) {
                    serveEcho(echo);
                    Thread.sleep(n * 1000L);
                }
            }
            case "ping" -> {
                try (EthernetPort ping = EthernetPorts.open(vnl)) {
                    runPings(ping, n);
                }
            }
            case "local" -> {
                EthernetNode node = vnl.equals("injvm") ? EthernetNode.newSwitch() : null;
                try (EthernetPort echo = node != null ? node.attach("echo") : EthernetPorts.open(vnl);
                        EthernetPort ping = node != null ? node.attach("ping") : EthernetPorts.open(vnl)) {
                    serveEcho(echo);
                    runPings(ping, n);
                } finally {
                    if (node != null) {
                        node.close();
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown role " + role);
        }
    }

    /** Answers every probe frame addressed to the echo MAC, from the delivery thread. */
    private static void serveEcho(EthernetPort echo) throws IOException {
        ByteBuffer reply = ByteBuffer.allocateDirect(64);
        echo.setSink(frame -> {
            int p = frame.position();
            if (frame.remaining() < 14 || !matches(frame, p, ECHO_MAC)) {
                return;
            }
            reply.clear();
            reply.put(frame.duplicate().limit(Math.min(frame.limit(), p + 64)));
            reply.flip();
            reply.put(0, PING_MAC).put(6, ECHO_MAC);
            try {
                echo.send(reply);
            } catch (IOException e) {
                // counted by the port; the ping side times out
            }
        });
        echo.send(frame(PING_MAC, ECHO_MAC, 0)); // a hello, so a learning switch knows where we are
    }

    private static void runPings(EthernetPort ping, int n) throws IOException, InterruptedException {
        Waiter waiter = new Waiter();
        ping.setSink(new FrameSink() {
            @Override
            public void frame(ByteBuffer frame) {
                if (frame.remaining() >= 22 && matches(frame, frame.position(), PING_MAC)) {
                    waiter.arrived(frame.getLong(frame.position() + 14));
                }
            }
        });
        ping.send(frame(ECHO_MAC, PING_MAC, -1)); // hello
        Thread.sleep(200);
        for (String mode : new String[] {"spin", "park-platform", "park-virtual", "spin", "park-platform", "park-virtual"}) {
            long[] rtt = new long[n];
            long[] sendTime = new long[n];
            int[] done = {0};
            Runnable loop = () -> {
                ByteBuffer out = ByteBuffer.allocateDirect(64);
                for (int i = 0; i < n; i++) {
                    out.clear();
                    out.put(frame(ECHO_MAC, PING_MAC, i)).flip();
                    waiter.expect(i, mode.equals("spin") ? null : Thread.currentThread());
                    long t0 = System.nanoTime();
                    try {
                        ping.send(out);
                    } catch (IOException e) {
                        return;
                    }
                    long sent = System.nanoTime();
                    if (!waiter.await(mode.equals("spin"), t0 + TIMEOUT_NANOS)) {
                        continue; // lost: not counted
                    }
                    sendTime[done[0]] = sent - t0;
                    rtt[done[0]++] = System.nanoTime() - t0;
                }
            };
            Thread t = mode.equals("park-virtual") ? Thread.ofVirtual().start(loop) : Thread.ofPlatform().start(loop);
            t.join();
            long[] got = Arrays.copyOf(rtt, done[0]);
            long[] sends = Arrays.copyOf(sendTime, done[0]);
            Arrays.sort(got);
            Arrays.sort(sends);
            System.out.printf("%-14s %6d round trips (%d lost): median %.1f us, p10 %.1f, p99 %.1f; the send call alone: median %.1f us%n",
                    mode, got.length, n - got.length, pct(got, 50), pct(got, 10), pct(got, 99), pct(sends, 50));
        }
    }

    private static double pct(long[] sorted, int p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, sorted.length * p / 100)] / 1000.0;
    }

    private static boolean matches(ByteBuffer frame, int p, byte[] mac) {
        for (int i = 0; i < 6; i++) {
            if (frame.get(p + i) != mac[i]) {
                return false;
            }
        }
        return true;
    }

    private static ByteBuffer frame(byte[] dst, byte[] src, long seq) {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.put(dst).put(src).putShort((short) ETHERTYPE).putLong(seq);
        return b.clear();
    }

    /** Where the ping thread waits for the answer with sequence number {@code expected}. */
    private static final class Waiter {
        private volatile long expected = -2;
        private volatile boolean arrived;
        private volatile Thread thread;

        void expect(long seq, Thread parkedThread) {
            arrived = false;
            thread = parkedThread;
            expected = seq;
        }

        void arrived(long seq) {
            if (seq != expected) {
                return;
            }
            arrived = true;
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        boolean await(boolean spin, long deadline) {
            while (!arrived) {
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                if (spin) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 1_000_000);
                }
            }
            return true;
        }
    }
}
