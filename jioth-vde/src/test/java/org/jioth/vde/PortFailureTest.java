package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.jioth.vde.Frames.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11: a port whose receive handler fails (even out of memory) is marked failed with the reason; no other port goes deaf. */
class PortFailureTest {
    @TempDir
    Path base;

    @Test
    void aVdePortWhoseHandlerFailsIsMarkedFailedAndTheOthersGoOn() throws Exception {
        Path dir = base.resolve("sw");
        try (EthernetPort host = EthernetPorts.open("switch://" + dir);
                VdePort failing = VdeScheme.connect(dir.toRealPath(), null, null, null, 0700, "failing");
                VdePort other = VdeScheme.connect(dir.toRealPath(), null, null, null, 0700, "other")) {
            failing.setSink(new FrameSink() {
                @Override
                public void frame(ByteBuffer frame) {
                    throw new OutOfMemoryError("simulated: the stack behind this port ran out of memory");
                }
            });
            Recorder otherRx = new Recorder();
            other.setSink(otherRx);
            host.send(ByteBuffer.wrap(VdeClientInteropTest.frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 60, 1)));
            VdeTools.waitUntil("the failing port to be marked failed", failing::hasEnded);
            assertThat(failing.failure()).get().isInstanceOf(OutOfMemoryError.class);
            assertThat(failing.send(ByteBuffer.wrap(VdeClientInteropTest.frame("ff:ff:ff:ff:ff:ff",
                    "02:00:00:00:00:02", 60, 2)))).isFalse();
            host.send(ByteBuffer.wrap(VdeClientInteropTest.frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 60, 3)));
            VdeTools.waitUntil("the other port to get both frames", () -> otherRx.frames.size() == 2);
            assertThat(other.hasEnded()).isFalse();
            assertThat(other.failure()).isEmpty();
        }
    }

    @Test
    void aUdpPortWhoseReceiveThreadFailsIsMarkedFailed() throws Exception {
        int pa;
        int pb;
        try (var s1 = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
                var s2 = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            pa = s1.getLocalPort();
            pb = s2.getLocalPort();
        }
        try (var a = new org.jioth.vde.ip.UdpPort(org.jioth.vde.ip.UdpSettings.fromOptions(
                pa + "->127.0.0.1:" + pb, java.util.Map.of()));
                var b = new org.jioth.vde.ip.UdpPort(org.jioth.vde.ip.UdpSettings.fromOptions(
                        "127.0.0.1:" + pb + "->127.0.0.1:" + pa, java.util.Map.of()))) {
            a.setSink(new FrameSink() {
                @Override
                public void frame(ByteBuffer frame) {
                    throw new OutOfMemoryError("simulated");
                }
            });
            var told = new java.util.concurrent.atomic.AtomicInteger();
            a.onCarrierChange(told::incrementAndGet);
            byte[] f = VdeClientInteropTest.frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:02", 60, 5);
            VdeTools.waitUntil("the failing port to be marked failed", () -> {
                try {
                    b.send(ByteBuffer.wrap(f)); // repeated until one is received
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return a.hasEnded();
            });
            assertThat(a.failure()).get().isInstanceOf(OutOfMemoryError.class);
            assertThat(b.failure()).isEmpty();
            // a NIC on the port must learn that its carrier is gone (review leftover; FAILED before the fix)
            VdeTools.waitUntil("the carrier listener to be told", () -> told.get() > 0);
            assertThat(a.carrier()).isFalse();
            assertThat(b.carrier()).isTrue();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"legacy", "seqpacket"})
    void aPtpEndWhoseHandlerFailsIsMarkedFailed(String mode) throws Exception {
        Path link = base.resolve("link");
        var settings = org.jioth.vde.ptp.PtpSettings.fromOptions(link.toString(), java.util.Map.of("mode", mode));
        try (var a = new org.jioth.vde.ptp.PtpPort(settings); var b = new org.jioth.vde.ptp.PtpPort(settings)) {
            a.setSink(new FrameSink() {
                @Override
                public void frame(ByteBuffer frame) {
                    throw new OutOfMemoryError("simulated");
                }
            });
            byte[] f = VdeClientInteropTest.frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:02", 60, 4);
            VdeTools.waitUntil("the failing end to be marked failed", () -> {
                b.send(ByteBuffer.wrap(f)); // repeated: the seqpacket ends connect in the background
                return a.hasEnded();
            });
            assertThat(a.failure()).get().isInstanceOf(OutOfMemoryError.class);
        }
    }
}
