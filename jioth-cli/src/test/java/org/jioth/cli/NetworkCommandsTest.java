package org.jioth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import org.jioth.testkit.SwitchControl;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jioth.testkit.ChildProcess;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;
import org.jioth.vde.stream.FrameStreamEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ioth switch / plug / capture as a user runs them (child JVMs), against Debian's vde_plug and tshark.
 */
class NetworkCommandsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final byte[] MAC_A = {2, 0, 0, 0, 0, 0x0a};
    private static final byte[] MAC_B = {2, 0, 0, 0, 0, 0x0b};
    private static final byte[] BCAST = {-1, -1, -1, -1, -1, -1};

    @TempDir
    Path base;

    private final List<FramedProcess> started = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (FramedProcess p : started.reversed()) {
            p.close();
        }
    }

    /** A process whose stdout carries the stream framing; records on its stdin. */
    static final class FramedProcess implements AutoCloseable {
        final Process process;
        final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        final StringBuffer text = new StringBuffer();
        private final OutputStream stdin;

        FramedProcess(List<String> command, boolean framedOutput) throws IOException {
            process = new ProcessBuilder(command).start();
            stdin = process.getOutputStream();
            InputStream out = process.getInputStream();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    if (framedOutput) {
                        DataInputStream in = new DataInputStream(out);
                        while (true) {
                            byte[] f = new byte[in.readUnsignedShort()];
                            in.readFully(f);
                            frames.add(f);
                        }
                    } else {
                        text.append(new String(out.readAllBytes(), StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    // ended
                }
            });
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    text.append(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // ended
                }
            });
        }

        void send(byte[] frame) throws IOException {
            stdin.write(FrameStreamEncoder.encode(frame));
            stdin.flush();
        }

        byte[] next(Duration timeout, byte[] wanted) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                byte[] f = frames.poll(100, TimeUnit.MILLISECONDS);
                if (f != null && (wanted == null || Arrays.equals(f, wanted))) {
                    return f;
                }
            }
            return null;
        }

        @Override
        public void close() throws Exception {
            try {
                stdin.close();
            } catch (IOException e) {
                // gone
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    private FramedProcess start(List<String> command, boolean framed) throws IOException {
        FramedProcess p = new FramedProcess(command, framed);
        started.add(p);
        return p;
    }

    private FramedProcess ioth(boolean framed, String... args) throws IOException {
        return start(ChildProcess.javaCommand(Main.class, args), framed);
    }

    private static void assumeTool(String name) {
        assumeTrue(ChildProcess.works("sh", "-c", "command -v " + name), name + " is not installed; test skipped");
    }

    static byte[] frame(byte[] dst, byte[] src, int payload, int seed) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload);
        b.put(dst).put(src).putShort((short) 0x88b5);
        for (int i = 0; i < payload; i++) {
            b.put((byte) (seed + i));
        }
        return b.array();
    }

    private static boolean await(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Test
    void iothSwitchServesRealVdePlugsAndIothPlugSpeaksTheirStreamFormat() throws Exception {
        assumeTool("vde_plug");
        Path dir = base.resolve("sw");
        FramedProcess sw = ioth(false, "switch", dir.toString());
        assertThat(await(() -> SwitchControl.listening(dir) || !sw.process.isAlive()))
                .as("ioth switch made %s/ctl: %s", dir, sw.text).isTrue();
        assertThat(sw.process.isAlive()).as(sw.text.toString()).isTrue();

        // two real vde_plug clients exchange frames through ioth switch
        FramedProcess p1 = start(List.of("vde_plug", "vde://" + dir), true);
        FramedProcess p2 = start(List.of("vde_plug", "vde://" + dir), true);
        byte[] hello = frame(BCAST, MAC_A, 46, 1);
        byte[] got = null;
        for (int i = 0; i < 300 && got == null; i++) { // until both plugs have joined (60 s at most)
            p1.send(hello);
            got = p2.next(Duration.ofMillis(200), hello);
        }
        assertThat(got).as("p2 got p1's broadcast: %s", sw.text).isEqualTo(hello);
        byte[] toA = frame(MAC_A, MAC_B, 1500, 2);
        p2.send(toA);
        assertThat(p1.next(WAIT, toA)).isEqualTo(toA);

        // ioth plug vde://DIR on stdin/stdout: byte-exact both ways with vde_plug
        FramedProcess ours = ioth(true, "plug", "--verbose", "vde://" + dir);
        byte[] fromOurs = frame(BCAST, MAC_B, 300, 3);
        got = null;
        for (int i = 0; i < 300 && got == null; i++) { // until the child JVM has joined (60 s at most: a loaded machine starts JVMs slowly)
            ours.send(fromOurs);
            got = p1.next(Duration.ofMillis(200), fromOurs);
        }
        assertThat(got).as("vde_plug got our plug's frame: %s", ours.text).isEqualTo(fromOurs);
        byte[] fromPlug = frame(BCAST, MAC_A, 1000, 4);
        p1.send(fromPlug);
        assertThat(ours.next(WAIT, fromPlug)).as("our plug printed vde_plug's frame").isEqualTo(fromPlug);
        byte[] small = frame(MAC_B, MAC_A, 0, 5);
        p1.send(small);
        assertThat(ours.next(WAIT, small)).isEqualTo(small);

        // SIGTERM: the switch closes its ports and removes its directory; its clients end
        sw.process.destroy();
        assertThat(sw.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(Files.exists(dir)).as("switch directory removed on SIGTERM: %s", sw.text).isFalse();
        assertThat(await(() -> sw.text.toString().contains("listening at " + dir))).as(sw.text.toString()).isTrue();
        assertThat(ours.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("ioth plug ends with its switch").isTrue();
        assertThat(ours.process.exitValue()).isZero();
        assertThat(await(() -> ours.text.toString().contains("stdio: {framesIn="))).as(ours.text.toString()).isTrue();
        assertThat(ours.text.toString()).contains("ended");
    }

    @Test
    void iothPlugJoinsTwoNetworksAsACable() throws Exception {
        assumeTool("vde_plug");
        Path left = base.resolve("left");
        Path right = base.resolve("right");
        try (EthernetPort leftSwitch = EthernetPorts.open("switch://" + left);
                EthernetPort rightSwitch = EthernetPorts.open("hub://" + right)) {
            FramedProcess cable = ioth(false, "plug", "vde://" + left, "vde://" + right);
            FramedProcess a = start(List.of("vde_plug", "vde://" + left), true);
            FramedProcess b = start(List.of("vde_plug", "vde://" + right), true);
            byte[] f = frame(BCAST, MAC_A, 60, 6);
            byte[] got = null;
            for (int i = 0; i < 300 && got == null; i++) { // until the cable's child JVM has joined both (60 s at most)
                a.send(f);
                got = b.next(Duration.ofMillis(200), f);
            }
            assertThat(got).as("through the cable: %s", cable.text).isEqualTo(f);
            byte[] back = frame(MAC_A, MAC_B, 700, 7);
            b.send(back);
            assertThat(a.next(WAIT, back)).isEqualTo(back);
        }
    }

    @Test
    void iothCaptureWritesAPcapThatTsharkReads() throws Exception {
        assumeTool("tshark");
        Path dir = base.resolve("capsw");
        Path pcap = base.resolve("ping.pcap");
        Path pcap2 = base.resolve("term.pcap");
        byte[][] sequence = {PingFrames.arpRequest(), PingFrames.echoRequest(), PingFrames.echoReply()};
        try (EthernetPort host = EthernetPorts.open("hub://" + dir)) { // a hub: the captures see the unicasts too
            FramedProcess counted = ioth(false, "capture", "--count", "3", "--verbose", "vde://" + dir, pcap.toString());
            FramedProcess untilTerm = ioth(false, "capture", "vde://" + dir, pcap2.toString());
            // the sequence over and over until the first capture has its 3 frames and exits and the
            // second (whose JVM may start later on a loaded machine) has written some
            long deadline = System.nanoTime() + WAIT.toNanos();
            while ((counted.process.isAlive() || pcap2.toFile().length() <= 24) && System.nanoTime() < deadline) {
                for (byte[] f : sequence) {
                    host.send(ByteBuffer.wrap(f));
                }
                counted.process.waitFor(100, TimeUnit.MILLISECONDS);
            }
            assertThat(counted.process.isAlive()).as("--count 3 ends the capture: %s", counted.text).isFalse();
            assertThat(counted.process.exitValue()).isZero();
            assertThat(await(() -> counted.text.toString().contains("3 frames written to " + pcap)))
                    .as(counted.text.toString()).isTrue();
            assertThat(counted.text.toString()).contains("framesIn=");
            assertThat(await(() -> pcap2.toFile().length() > 24)).as("the second capture flushed frames").isTrue();
            untilTerm.process.destroy(); // SIGTERM: the shutdown hook closes the file properly
            assertThat(untilTerm.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(untilTerm.process.exitValue()).as("killed by SIGTERM").isEqualTo(143);
        }
        String out = tshark(pcap);
        List<String> lines = out.lines().filter(l -> !l.isBlank() && !l.contains("Running as user")).toList();
        assertThat(lines).as(out).hasSize(3);
        assertThat(out).contains("ARP").contains("ICMP").containsPattern("Echo \\(ping\\) (request|reply)");
        String out2 = tshark(pcap2);
        assertThat(out2).as(out2).contains("Who has 192.168.250.2? Tell 192.168.250.1");
    }

    private static String tshark(Path file) throws Exception {
        ChildProcess.Result r = ChildProcess.run(List.of("tshark", "-n", "-r", file.toString()), 60);
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r.output();
    }
}
