package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jioth.testkit.ChildProcess;
import org.jioth.vde.testing.PortCable;
import org.jioth.vde.testing.TestNetns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux kernel as the peer on both ends of our switch: two network namespaces made by the
 * test, each with a tap plugged into our {@code switch://DIR}, either through our {@code tap://}
 * port cabled to the switch in this JVM or through Debian's {@code vde_plug tap://... vde://DIR}
 * running inside the namespace. Real ARP, ICMP and TCP cross the switch.
 */
class KernelPeerInteropTest {
    static final String ADDRESS_1 = "192.168.250.1";
    static final String ADDRESS_2 = "192.168.250.2";
    static final int TRANSFER_BYTES = 4 << 20;
    static final long COMMAND_TIMEOUT_SECONDS = 60;

    @TempDir
    Path base;

    @Test
    void ourTapAndVdePlugTapPingAndCopyFourMegabytesThroughOurSwitch() throws Exception {
        assumeTools("ping", "socat", "sha256sum");
        VdeTools.assumeTool("vde_plug");
        Path dir = base.resolve("sw");
        Path pcapFile = base.resolve("switch.pcap");
        try (TestNetns ns1 = TestNetns.create("jioth-kp-");
                TestNetns ns2 = TestNetns.create("jioth-kp-");
                EthernetPort host = EthernetPorts.open("switch://" + dir);
                PcapWriter pcap = new PcapWriter(FileChannel.open(pcapFile, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
                PortCable tap1 = ns1.call(() -> new PortCable(EthernetPorts.open("tap://kp1"),
                        pcap.capture(EthernetPorts.open("vde://" + dir))));
                Background plug2 = Background.start(ns2.exec("vde_plug", "tap://kp2", "vde://" + dir))) {
            awaitLink(ns2, "kp2", plug2);
            address(ns1, "kp1", ADDRESS_1);
            address(ns2, "kp2", ADDRESS_2);

            ping(ns1, ADDRESS_2);
            ping(ns2, ADDRESS_1);
            pcap.flush();
            assertIcmpCaptured(pcapFile);

            transfer(ns1, ns2, ADDRESS_2);
            assertThat(plug2.isAlive()).as("vde_plug still running").isTrue();
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void twoOfOurTapsPingAndCopyFourMegabytesThroughOurSwitch() throws Exception {
        assumeTools("ping", "socat", "sha256sum");
        Path dir = base.resolve("sw");
        try (TestNetns ns1 = TestNetns.create("jioth-kp-");
                TestNetns ns2 = TestNetns.create("jioth-kp-");
                EthernetPort host = EthernetPorts.open("switch://" + dir);
                PortCable tap1 = ns1.call(() -> new PortCable(EthernetPorts.open("tap://kp1"),
                        EthernetPorts.open("vde://" + dir)));
                PortCable tap2 = ns2.call(() -> new PortCable(EthernetPorts.open("tap://kp2"),
                        EthernetPorts.open("vde://" + dir)))) {
            address(ns1, "kp1", ADDRESS_1);
            address(ns2, "kp2", ADDRESS_2);

            ping(ns1, ADDRESS_2);
            transfer(ns2, ns1, ADDRESS_1); // the other direction from the mixed test
            // the host port saw the broadcasts (ARP) but none of the unicast TCP stream
            assertThat(host.statistics().framesIn.sum() + host.statistics().droppedNoSink.sum())
                    .isPositive().isLessThan(100);
        }
        assertThat(dir).doesNotExist();
    }

    /** Fails unless {@code ping -c 3 -W 2} from {@code from} gets all three replies. */
    private static void ping(TestNetns from, String to) throws Exception {
        ChildProcess.Result r = ChildProcess.run(from.exec("ping", "-n", "-c", "3", "-W", "2", to), COMMAND_TIMEOUT_SECONDS);
        assertThat(r.exitCode()).as("ping %s from %s:%n%s", to, from.name, r.output()).isZero();
        assertThat(r.output()).contains("3 received");
    }

    /**
     * Sends {@value #TRANSFER_BYTES} random bytes over TCP from {@code sender} to {@code receiver}
     * (listening on {@code receiverAddress}) with socat; the SHA-256 computed inside each namespace
     * must match the file's.
     */
    private void transfer(TestNetns sender, TestNetns receiver, String receiverAddress) throws Exception {
        Path data = base.resolve("random.bin");
        byte[] bytes = new byte[TRANSFER_BYTES];
        new Random().nextBytes(bytes);
        Files.write(data, bytes);
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));

        Path received = base.resolve("received.sha256");
        try (Background listener = Background.start(receiver.exec("sh", "-c",
                "socat -u TCP-LISTEN:5001,bind=" + receiverAddress + ",reuseaddr STDOUT | sha256sum > " + received))) {
            ChildProcess.Result sent = ChildProcess.run(sender.exec("socat", "-u", "FILE:" + data,
                    "TCP:" + receiverAddress + ":5001,retry=100,interval=0.2"), COMMAND_TIMEOUT_SECONDS);
            assertThat(sent.exitCode()).as("socat sender: %s", sent.output()).isZero();
            assertThat(listener.awaitExit(COMMAND_TIMEOUT_SECONDS)).as("the receiver ends at EOF").isTrue();
        }
        ChildProcess.Result senderSum = ChildProcess.run(sender.exec("sha256sum", data.toString()), COMMAND_TIMEOUT_SECONDS);
        assertThat(senderSum.output()).startsWith(expected);
        assertThat(Files.readString(received, StandardCharsets.US_ASCII)).as("SHA-256 of the bytes received")
                .startsWith(expected);
    }

    /** The capture holds the three echo requests and three replies of each direction, and no other ICMP. */
    private static void assertIcmpCaptured(Path pcapFile) throws Exception {
        assumeTools("tshark");
        ChildProcess.Result r = ChildProcess.run(List.of("tshark", "-n", "-r", pcapFile.toString(), "-Y", "icmp",
                "-T", "fields", "-e", "ip.src", "-e", "ip.dst", "-e", "icmp.type"), COMMAND_TIMEOUT_SECONDS);
        assertThat(r.exitCode()).as("tshark: %s", r.output()).isZero();
        List<String> lines = r.output().lines().filter(l -> l.matches("[0-9.]+\\t[0-9.]+\\t\\d+")).toList();
        assertThat(lines).as("ICMP in the capture:%n%s", r.output())
                .containsOnly(ADDRESS_1 + "\t" + ADDRESS_2 + "\t8", ADDRESS_2 + "\t" + ADDRESS_1 + "\t0",
                        ADDRESS_2 + "\t" + ADDRESS_1 + "\t8", ADDRESS_1 + "\t" + ADDRESS_2 + "\t0");
        for (String expected : List.of(ADDRESS_1 + "\t" + ADDRESS_2 + "\t8", ADDRESS_2 + "\t" + ADDRESS_1 + "\t0",
                ADDRESS_2 + "\t" + ADDRESS_1 + "\t8", ADDRESS_1 + "\t" + ADDRESS_2 + "\t0")) {
            assertThat(lines.stream().filter(expected::equals).count()).as("%s in the capture", expected).isEqualTo(3);
        }
    }

    private static void address(TestNetns ns, String device, String address) throws Exception {
        ns.ip("addr", "add", address + "/24", "dev", device);
        ns.ip("link", "set", device, "up");
    }

    /** Waits until vde_plug has made its tap inside {@code ns}. */
    private static void awaitLink(TestNetns ns, String device, Background plug) throws Exception {
        VdeTools.waitUntil(device + " in " + ns.name, () -> {
            try {
                return TestNetns.run("ip", "-n", ns.name, "link", "show", device).code() == 0 || !plug.isAlive();
            } catch (IOException | InterruptedException e) {
                return false;
            }
        });
        assertThat(plug.isAlive()).as("vde_plug exited: %s", plug.output()).isTrue();
    }

    private static void assumeTools(String... tools) {
        for (String tool : tools) {
            VdeTools.assumeTool(tool);
        }
    }

    /** A process running while the test goes on; killed with its children on close. */
    static final class Background implements AutoCloseable {
        private final Process process;
        private final Path log;

        private Background(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static Background start(List<String> command) throws IOException {
            Path log = Files.createTempFile("jioth-kp-", ".log");
            Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            return new Background(p, log);
        }

        boolean isAlive() {
            return process.isAlive();
        }

        boolean awaitExit(long seconds) throws InterruptedException {
            return process.waitFor(seconds, TimeUnit.SECONDS);
        }

        String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(no output: " + e.getMessage() + ")";
            }
        }

        @Override
        public void close() throws Exception {
            List<ProcessHandle> children = process.descendants().toList();
            process.destroy();
            children.forEach(ProcessHandle::destroy);
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            children.forEach(ProcessHandle::destroyForcibly);
            Files.deleteIfExists(log);
        }
    }
}
