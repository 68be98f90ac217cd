package org.jioth.vdestack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class VdestackTest {
    static void assumeNamespaces() {
        assumeTrue(ChildProcess.works("unshare", "--user", "--map-root-user", "--net", "true"),
                "'unshare -Urn true' failed: unprivileged user+net namespaces are disabled here, vdestack cannot run");
    }

    /** The helpers' temporary directories in java.io.tmpdir (the scenario's own are not theirs). */
    static Set<String> helperDirs() throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("jioth-vdestack-") && !n.startsWith("jioth-vdestack-scenario-"))
                    .collect(Collectors.toSet());
        }
    }

    @Test
    @Timeout(300)
    void twoStacksOnOneSwitch(@TempDir Path dir) throws Exception {
        assumeNamespaces();
        Set<String> before = helperDirs();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream log = new PrintStream(out, true)) {
            TwoStacksScenario.run(dir, log);
        } finally {
            System.out.print(out);
        }
        assertThat(out.toString()).contains("ping 192.168.250.2", "tcp echo", "udp echo ok", "socket adapters ok", "bulk 64 MB ok",
                "close refused", "SCENARIO OK");
        // java.io.tmpdir is shared with every JVM on the machine: another build's helper may hold a
        // directory there for a while (it failed a full run here once, next to other builds); ours
        // are removed when our stacks close, so wait for the set to shrink back, and fail if it does not
        assertThat(org.jioth.testkit.Eventually.holds(() -> before.containsAll(helperDirs())))
                .as("no helper files left behind: %s", helperDirs()).isTrue();
    }

    /**
     * The same scenario as an unprivileged user (setpriv to nobody), in a child JVM whose class path
     * is a world-readable copy of this project's classes.
     */
    @Test
    @Timeout(300)
    void twoStacksOnOneSwitchUnprivileged() throws Exception {
        assumeNamespaces();
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false),
                "runs the unprivileged case through setpriv, which needs root to drop to nobody (not root: the other test already is unprivileged)");
        assumeTrue(ChildProcess.works("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "unshare", "-Urn", "true"),
                "user nobody cannot create a user+net namespace here (or setpriv is missing)");
        assumeTrue(Files.isReadable(Path.of("/dev/net/tun")) && Files.getPosixFilePermissions(Path.of("/dev/net/tun"))
                        .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE),
                "/dev/net/tun is not mode 0666 (Debian's default; .ci/run restores it): an unprivileged user cannot create taps");
        Path root = Files.createTempDirectory("jioth-vdestack-scenario-cp-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        try {
            List<String> entries = new ArrayList<>();
            int i = 0;
            for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                Path p = Path.of(e);
                if (e.contains("/.m2/") || !Files.exists(p)) {
                    continue; // libraries (JUnit, AssertJ): the scenario needs only jioth's own classes
                }
                Path copy = root.resolve("cp" + i++);
                copyTree(p, copy);
                entries.add(copy.toString());
            }
            List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=/tmp",
                    "-cp", String.join(java.io.File.pathSeparator, entries), TwoStacksScenario.class.getName()));
            ChildProcess.Result r = ChildProcess.run(cmd, 240);
            System.out.print(r.output());
            assertThat(r.exitCode()).as("scenario as nobody:%n%s", r.output()).isZero();
            assertThat(r.output()).contains("ping 192.168.250.2", "bulk 64 MB ok", "close refused", "SCENARIO OK");
        } finally {
            try (Stream<Path> s = Files.walk(root)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** The helper ends with the JVM that started it, even when that JVM is killed. */
    @Test
    @Timeout(120)
    void helperExitsWhenTheJvmDies() throws Exception {
        assumeNamespaces();
        Path dir = Files.createTempDirectory("jioth-vdestack-scenario-");
        Process jvm = new ProcessBuilder(ChildProcess.javaCommand(HoldStackMain.class, "null://"))
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream()));
            String line;
            long helper = -1;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("helper ")) {
                    helper = Long.parseLong(line.substring(7).trim());
                    break;
                }
            }
            assertThat(helper).as("the child JVM reported its helper").isPositive();
            assertThat(ProcessHandle.of(helper)).isPresent();
            jvm.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            long h = helper;
            TwoStacksScenario.await(() -> ProcessHandle.of(h).isEmpty(), "helper " + h + " gone after its JVM was killed");
        } finally {
            jvm.destroyForcibly();
            Files.deleteIfExists(dir);
        }
    }

    /** Option jdk: the JDK's own channels made by a thread inside the namespace (root only). */
    @Test
    @Timeout(180)
    void jdkChannelsWhenRoot(@TempDir Path dir) throws Exception {
        assumeNamespaces();
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false),
                "option jdk enters the namespace with setns, which needs root");
        Path sw = dir.resolve("sw");
        var threads = java.util.concurrent.Executors.newCachedThreadPool();
        try (var host = org.jioth.vde.EthernetPorts.open("switch://" + sw)) {
            IothStack a = Ioth.newStack("vdestack,jdk", "vde://" + sw);
            IothStack b = Ioth.newStack("vdestack,jdk", "vde://" + sw);
            try {
                TwoStacksScenario.configure(a, TwoStacksScenario.A);
                TwoStacksScenario.configure(b, TwoStacksScenario.B);
                try (var c = a.provider().openSocketChannel()) {
                    assertThat(c.getClass().getName()).as("a JDK channel").startsWith("sun.nio.ch.");
                    assertThat(c.socket()).as("the JDK's own adaptor").isNotNull();
                }
                TwoStacksScenario.tcpEcho(a, b, TwoStacksScenario.B, threads, 5000, 1 << 20, System.out);
                TwoStacksScenario.tcpEcho(b, a, TwoStacksScenario.A, threads, 5001, 100_000, System.out);
                TwoStacksScenario.udpEcho(a, b, System.out);
                TwoStacksScenario.closeSemantics(a, a.statistics().get("helper.pid"), System.out);
            } finally {
                a.closeForcibly();
                b.closeForcibly();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void unknownOptionsAreRefusedWithTheKnownOne() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Ioth.newStack("vdestack,fast", "null://"))
                .hasMessageContaining("'jdk'");
    }

    @Test
    @Timeout(120)
    void interfacesAreNamedAsLibiothAndStartDown() throws Exception {
        assumeNamespaces();
        try (IothStack s = Ioth.newStack("vdestack", "null://", "eth7:null://")) {
            assertThat(s.ifNameToIndex("vde0")).isPositive();
            assertThat(s.ifNameToIndex("eth7")).isPositive();
            var links = s.interfaces().stream().filter(a -> a.isLink()).toList();
            assertThat(links).extracting(a -> a.name()).containsExactlyInAnyOrder("lo", "vde0", "eth7");
            assertThat(links).allMatch(a -> (a.flags() & org.jioth.IfAddr.IFF_UP) == 0, "every link starts down");
            int lo = s.ifNameToIndex("lo");
            s.linkSetUpDown(lo, true);
            s.linkSetMtu(s.ifNameToIndex("vde0"), 1400);
            org.jioth.MacAddress mac = org.jioth.MacAddress.of(new byte[] {2, 0, 0, 0x12, 0x34, 0x56});
            s.linkSetAddr(s.ifNameToIndex("vde0"), mac);
            assertThat(s.linkGetAddr(s.ifNameToIndex("vde0"))).isEqualTo(mac);
            assertThat(s.interfaces()).anyMatch(a -> a.isLink() && a.name().equals("vde0") && a.mtu() == 1400);
        }
    }
}
