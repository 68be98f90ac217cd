package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.vde.VdeTools.waitUntil;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jioth.vde.VdeTools.VdeSwitch;
import org.jioth.vde.testing.CollectingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vde:// client's transmit ring against Debian's vde_switch: while the switch process is
 * stopped (SIGSTOP, as a descheduled switch on a loaded machine, only longer) our sends wait in the
 * ring instead of being dropped, and reach the other port, in order, once it runs again; beyond the
 * ring's bound they are dropped and counted, and every frame taken still goes to the switch. And {@link EthernetPort#flush}: the thread that
 * calls it has its sends held until its next flush.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VdeClientTransmitInteropTest {
    @TempDir
    Path base;

    private static ByteBuffer numbered(int i) {
        ByteBuffer f = ByteBuffer.allocate(1514);
        f.put(Frames.mac("ff:ff:ff:ff:ff:ff")).put(Frames.mac("02:00:00:00:00:a1")).putShort((short) 0x88b5).putInt(i);
        return f.clear();
    }

    private static void signal(Process p, String sig) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).inheritIO().start();
        assertThat(kill.waitFor(30, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -%s", sig).isTrue();
    }

    /** Frame numbers (offset 14) received, waiting until {@code count} came. */
    private static List<Integer> receive(CollectingSink rx, int count) throws Exception {
        return receive(rx, count, VdeTools.TIMEOUT);
    }

    /**
     * As above, but also stops once nothing came for {@code quiet} after the first frame (which may
     * take up to the whole timeout: a loaded machine runs a resumed switch late).
     */
    private static List<Integer> receive(CollectingSink rx, int count, java.time.Duration quiet) throws Exception {
        List<Integer> got = new ArrayList<>();
        long deadline = System.nanoTime() + VdeTools.TIMEOUT.toNanos();
        while (got.size() < count && System.nanoTime() < deadline) {
            byte[] f = rx.poll(got.isEmpty() ? VdeTools.TIMEOUT : quiet);
            if (f == null) {
                if (quiet.compareTo(VdeTools.TIMEOUT) < 0) {
                    break;
                }
                continue;
            }
            got.add(ByteBuffer.wrap(f).getInt(14));
        }
        return got;
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> r = new ArrayList<>();
        for (int i = from; i < to; i++) {
            r.add(i);
        }
        return r;
    }

    @Test
    void framesSentWhileTheSwitchIsStoppedArriveInOrderOnceItRunsAndOnlyFramesBeyondTheRingAreDropped()
            throws Exception {
        try (VdeSwitch sw = new VdeSwitch(base, false);
                EthernetPort a = EthernetPorts.open("vde://" + sw.dir);
                EthernetPort b = EthernetPorts.open("vde://" + sw.dir)) {
            CollectingSink rx = new CollectingSink();
            b.setSink(rx);
            assertThat(a.send(numbered(-1))).isTrue();
            assertThat(receive(rx, 1)).containsExactly(-1); // both ports are up on the switch

            // within the bound: the socket takes what its buffer holds, the rest waits; none is lost
            int within;
            signal(sw.process, "STOP");
            try {
                int straight = 0; // frames the socket took before it refused the first
                while (straight < 100_000 && a.send(numbered(straight))
                        && a.statistics().framesOut.sum() == straight + 2) {
                    straight++;
                }
                assertThat(straight).as("the stopped switch's socket filled").isLessThan(100_000);
                // a modest wait in the ring: the switch forwards the whole burst to b when it runs,
                // and vde_switch itself drops toward b when its own retry queue overflows
                within = straight + 1 + 40;
                for (int i = straight + 1; i < within; i++) {
                    assertThat(a.send(numbered(i))).as("frame %d", i).isTrue();
                }
                assertThat(a.statistics().droppedQueueFull.sum()).isZero();
                assertThat(a.statistics().framesOut.sum()).as("the rest wait in the ring").isLessThan(within + 1);
            } finally {
                signal(sw.process, "CONT");
            }
            assertThat(receive(rx, within)).isEqualTo(range(0, within));
            int first = within;
            waitUntil("a's ring to empty", () -> a.statistics().framesOut.sum() == first + 1);

            // beyond the bound: the first frames are kept, the rest dropped and counted
            int tried = 0;
            int accepted = 0;
            signal(sw.process, "STOP");
            try {
                while (tried - accepted < 200 && tried < 100_000) {
                    if (a.send(numbered(within + tried))) {
                        assertThat(accepted).as("a frame taken after one was refused").isEqualTo(tried);
                        accepted++;
                    }
                    tried++;
                }
            } finally {
                signal(sw.process, "CONT");
            }
            assertThat(accepted).isGreaterThanOrEqualTo(DatagramLink.RING_FRAMES);
            assertThat(a.statistics().droppedQueueFull.sum()).isEqualTo(tried - accepted).isEqualTo(200);
            int sent = within + 1 + accepted;
            // every frame taken went to the switch: nothing lost on our side
            waitUntil("a's ring to empty into the switch", () -> a.statistics().framesOut.sum() == sent);
            // what b gets of this burst of several hundred is up to vde_switch's queue toward b; in order
            List<Integer> got = receive(rx, accepted, java.time.Duration.ofSeconds(3));
            assertThat(got).isNotEmpty().isSorted().doesNotHaveDuplicates();
            assertThat(got.getFirst()).isEqualTo(within);
            assertThat(got.getLast()).isLessThan(within + accepted);
        }
    }

    @Test
    void theFlushingThreadsSendsWaitForItsNextFlushOtherThreadsGoAtOnce() throws Exception {
        try (VdeSwitch sw = new VdeSwitch(base, false);
                EthernetPort a = EthernetPorts.open("vde://" + sw.dir);
                EthernetPort b = EthernetPorts.open("vde://" + sw.dir)) {
            CollectingSink rx = new CollectingSink();
            b.setSink(rx);
            assertThat(a.send(numbered(0))).isTrue(); // no flush yet: out at once
            assertThat(a.statistics().framesOut.sum()).isEqualTo(1);

            a.flush(); // this thread now batches
            for (int i = 1; i <= 5; i++) {
                assertThat(a.send(numbered(i))).isTrue();
            }
            assertThat(a.statistics().framesOut.sum()).as("held until the next flush").isEqualTo(1);

            Thread other = Thread.ofPlatform().start(() -> {
                try {
                    a.send(numbered(6)); // another thread: goes out at once, behind the held ones
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            other.join(VdeTools.TIMEOUT);
            assertThat(a.statistics().framesOut.sum()).isEqualTo(7);
            a.flush();
            assertThat(receive(rx, 7)).isEqualTo(range(0, 7));
        }
    }
}
