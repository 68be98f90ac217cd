package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;
import org.jioth.testkit.SwitchControl;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jioth.linux.unix.UnixAddress;
import org.jioth.linux.unix.UnixFiles;
import org.jioth.linux.unix.UnixSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security of hosted switches and of the vde:// client (issue 12, item 12): against another user
 * who may write to a switch directory, a hostile switch owner, and a client naming someone else's
 * socket.
 */
class HostedSwitchSecurityTest {
    private static final int NOBODY = 65534;

    @TempDir
    Path base;

    @AfterEach
    void noSeam() {
        BindSeam.afterBind = p -> {
        };
    }

    private Path victim(String name) throws IOException {
        Path v = Files.writeString(base.resolve(name), "precious");
        Files.setPosixFilePermissions(v, PosixFilePermissions.fromString("rw-------"));
        return v;
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    /** What a group member does in the window: the bound name becomes a symlink to {@code target}. */
    private static void swapForSymlink(Path bound, Path target) {
        try {
            Files.move(bound, bound.resolveSibling(bound.getFileName() + ".moved"), StandardCopyOption.ATOMIC_MOVE);
            Files.createSymbolicLink(bound, target);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theSwitchNeverChmodsThroughASymlinkSwappedInAfterBind() throws Exception {
        Path victim = victim("victim");
        Path dir = base.resolve("sw");
        try (EthernetPort host = EthernetPorts.open("switch://" + dir + "[mode=0660]")) {
            BindSeam.afterBind = p -> {
                if (p.getFileName().toString().startsWith("fd")) {
                    swapForSymlink(p, victim);
                }
            };
            try (VdePort client = VdeScheme.connect(dir.toRealPath(), null, null, null, 0700, "test")) {
                // the switch refused the port, or at least left the victim alone
            } catch (IOException refused) {
                // expected once fixed
            }
            assertThat(mode(victim)).isEqualTo("rw-------");
        }
    }

    @Test
    void theClientNeverChmodsThroughASymlinkSwappedInAfterBind() throws Exception {
        Path victim = victim("victim");
        Path dir = base.resolve("sw");
        try (EthernetPort host = EthernetPorts.open("switch://" + dir)) {
            BindSeam.afterBind = p -> {
                if (p.getFileName().toString().startsWith(".")) {
                    swapForSymlink(p, victim);
                }
            };
            try (VdePort client = VdeScheme.connect(dir.toRealPath(), null, null, null, 0666, "test")) {
                // connected, but the victim must be untouched
            } catch (IOException refused) {
                // expected once fixed: the data socket was replaced
            }
            assertThat(mode(victim)).isEqualTo("rw-------");
            try (var left = Files.list(dir)) { // the attacker's leftovers, so the switch can remove its directory
                for (Path p : left.filter(p -> p.getFileName().toString().startsWith(".")).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** A hostile switch replies with a socket it does not own, outside its directory: no chmod, no connect. */
    @Test
    void theClientNeverChmodsOrConnectsToAPathTheSwitchChose() throws Exception {
        Path dir = Files.createDirectory(base.resolve("evil"));
        Path elsewhere = Files.createDirectory(base.resolve("elsewhere"));
        Path victimPath = elsewhere.resolve("victim.sock");
        try (UnixSocket victim = UnixSocket.open(UnixSocket.Type.DATAGRAM);
                UnixSocket ctl = UnixSocket.open(UnixSocket.Type.STREAM)) {
            victim.setFileMode(0600);
            victim.bind(victimPath.toString());
            ctl.bind(dir.resolve("ctl").toString());
            ctl.listen(1);
            java.util.concurrent.CountDownLatch clientDone = new java.util.concurrent.CountDownLatch(1);
            CompletableFuture<Void> fakeSwitch = CompletableFuture.runAsync(() -> {
                try {
                    UnixSocket c;
                    while ((c = ctl.accept()) == null) {
                        Thread.sleep(5);
                    }
                    try (UnixSocket conn = c) {
                        ByteBuffer req = ByteBuffer.allocate(VdeRequest.MAX_REQUEST);
                        while (conn.receive(req) < 0) {
                            Thread.sleep(5);
                        }
                        conn.send(ByteBuffer.wrap(UnixAddress.encode(victimPath.toString())));
                        clientDone.await(60, TimeUnit.SECONDS); // keep the control connection while the client proceeds
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            try (VdePort client = VdeScheme.connect(dir.toRealPath(), null, null, null, 0666, "test")) {
                client.send(Frames.frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", "x"));
            } catch (IOException refused) {
                assertThat(refused).hasMessageContaining(victimPath.toString());
            } finally {
                clientDone.countDown();
            }
            fakeSwitch.get(60, TimeUnit.SECONDS);
            assertThat(mode(victimPath)).isEqualTo("rw-------");
            assertThat(victim.receive(ByteBuffer.allocate(100))).as("nothing reached the victim").isNegative();
        }
    }

    /** A client names a socket of another user: the switch must not connect to it and send it frames. */
    @Test
    void theSwitchConnectsOnlyToASocketOfTheClient() throws Exception {
        assumeTrue(UnixFiles.effectiveUid() == 0, "needs root to give the victim socket to another uid");
        Path dir = base.resolve("sw");
        Path victimPath = base.resolve("victim.sock");
        try (EthernetPort host = EthernetPorts.open("switch://" + dir);
                UnixSocket victim = UnixSocket.open(UnixSocket.Type.DATAGRAM);
                UnixSocket control = UnixSocket.open(UnixSocket.Type.STREAM)) {
            victim.bind(victimPath.toString());
            Files.setAttribute(victimPath, "unix:uid", NOBODY);
            control.connect(dir.resolve("ctl").toString());
            byte[] request = new VdeRequest(0, victimPath.toString(), "evil").encode();
            assertThat(control.send(ByteBuffer.wrap(request))).isEqualTo(request.length);
            VdeTools.waitUntil("the switch to answer or hang up", () -> {
                try {
                    return control.receive(ByteBuffer.allocate(200)) >= 0;
                } catch (IOException e) {
                    return true;
                }
            });
            host.send(Frames.frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", "to all ports"));
            Thread.sleep(300); // a forwarded frame would have arrived by now (no assertion on time: absence only)
            assertThat(victim.receive(ByteBuffer.allocate(9300))).as("nothing reached the victim").isNegative();
            assertThat(NodeDirectory.lookup(dir.toRealPath()).socketClients()).isZero();
        }
    }

    /** Another user in the switch's group may add files to its directory but not replace the switch's. */
    @Test
    void aGroupMemberCannotReplaceTheSwitchsFiles() throws Exception {
        assumeTrue(UnixFiles.effectiveUid() == 0, "needs root to run the attacker as another uid");
        VdeTools.assumeTool("setpriv");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = base.resolve("sw");
        try (EthernetPort host = EthernetPorts.open("switch://" + dir + "[mode=0660/grp=" + NOBODY + "]")) {
            Process attacker = new ProcessBuilder("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                    "sh", "-c", "touch " + dir + "/mine && mv -f " + dir + "/ctl " + dir + "/stolen")
                    .redirectErrorStream(true).start();
            String output = new String(attacker.getInputStream().readAllBytes());
            assertThat(attacker.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.exists(dir.resolve("mine"))).as("group members may add files: " + output).isTrue();
            assertThat(attacker.exitValue()).as("mv must fail: " + output).isNotZero();
            assertThat(Files.exists(dir.resolve("ctl"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isTrue();
            Files.delete(dir.resolve("mine"));
        }
    }

    private static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
            "--clear-groups");

    /** The checks let real clients of another user in: Debian's vde_plug as nobody on our world-joinable switch. */
    @Test
    void debianVdePlugOfAnotherUserJoinsAnOpenSwitch() throws Exception {
        assumeTrue(UnixFiles.effectiveUid() == 0, "needs root to run vde_plug as another uid");
        VdeTools.assumeTool("setpriv");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = base.resolve("sw");
        try (EthernetPort host = EthernetPorts.open("switch://" + dir + "[mode=0666]")) {
            Frames.Recorder hostRx = new Frames.Recorder();
            host.setSink(hostRx);
            NodeDirectory served = NodeDirectory.lookup(dir.toRealPath());
            try (VdeTools.VdePlug plug = new VdeTools.VdePlug(AS_NOBODY, "nobody", "vde://" + dir)) {
                VdeTools.waitUntil("vde_plug as nobody to join", () -> served.socketClients() == 1);
                byte[] toPlug = VdeClientInteropTest.frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", 60, 1);
                host.send(ByteBuffer.wrap(toPlug));
                assertThat(plug.next(VdeTools.TIMEOUT)).isEqualTo(toPlug);
                byte[] fromPlug = VdeClientInteropTest.frame("02:00:00:00:00:01", "02:00:00:00:00:0b", 60, 2);
                plug.send(fromPlug);
                VdeTools.waitUntil("the host to get vde_plug's frame", () -> hostRx.frames.size() == 1);
                assertThat(hostRx.frames.getFirst()).isEqualTo(fromPlug);
            }
            assertThat(served.refusedRequests()).isZero();
        }
    }

    /** Our client (root) joins a Debian vde_switch run by nobody: its replies pass the owner and directory checks. */
    @Test
    void ourClientJoinsADebianSwitchOfAnotherUser() throws Exception {
        assumeTrue(UnixFiles.effectiveUid() == 0, "needs root to run vde_switch as another uid");
        VdeTools.assumeTool("setpriv");
        Path swBase = Files.createDirectory(base.resolve("nobody"));
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setAttribute(swBase, "unix:uid", NOBODY);
        try (VdeTools.VdeSwitch sw = new VdeTools.VdeSwitch(AS_NOBODY, swBase, false);
                VdeTools.VdePlug peer = new VdeTools.VdePlug("peer", "vde://" + sw.dir);
                VdePort ours = VdeScheme.connect(sw.dir.toRealPath(), null, null, null, 0700, "ours")) {
            Frames.Recorder rx = new Frames.Recorder();
            ours.setSink(rx);
            // a broadcast sent before the peer's vde_plug joined reaches no one (seen once in 30 repeated runs)
            VdeTools.waitUntil("vde_plug 'peer' to join the switch", () -> sw.hasPort("peer"));
            byte[] hello = VdeClientInteropTest.frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:0c", 60, 3);
            ours.send(ByteBuffer.wrap(hello));
            assertThat(peer.next(VdeTools.TIMEOUT)).isEqualTo(hello);
            byte[] back = VdeClientInteropTest.frame("02:00:00:00:00:0c", "02:00:00:00:00:0d", 60, 4);
            peer.send(back);
            VdeTools.waitUntil("our client to get the peer's frame", () -> rx.frames.size() == 1);
            assertThat(rx.frames.getFirst()).isEqualTo(back);
        }
    }

    /**
     * The common set-up: a vde_switch run by root, joined by a user. vde_switch gives the port socket
     * to the client's uid, so our client (in a child JVM run as nobody) must accept a socket that is
     * its own as well as one of the switch's user.
     */
    @Test
    void ourClientAsAnotherUserJoinsARootVdeSwitch() throws Exception {
        assumeTrue(UnixFiles.effectiveUid() == 0, "needs root to run our client as another uid");
        VdeTools.assumeTool("setpriv");
        VdeTools.assumeTool("vde_switch");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = base.resolve("sw");
        Process sw = new ProcessBuilder("vde_switch", "-s", dir.toString(), "-m", "0777").redirectErrorStream(true)
                .redirectOutput(base.resolve("log").toFile()).start();
        try {
            VdeTools.waitUntil("vde_switch to listen", () -> SwitchControl.listening(dir) || !sw.isAlive());
            try (VdeTools.VdePlug peer = new VdeTools.VdePlug("peer", "vde://" + dir)) {
                // only what this JVM built (under the worktree) is readable by nobody, not ~/.m2
                String cp = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                        .filter(e -> e.contains("/target/")).collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
                List<String> cmd = new java.util.ArrayList<>(AS_NOBODY);
                cmd.addAll(org.jioth.testkit.ChildProcess.javaCommand(VdeClientMain.class, "vde://" + dir));
                cmd.set(cmd.indexOf("-cp") + 1, cp);
                Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                try {
                    byte[] hello = peer.next(VdeTools.TIMEOUT);
                    assertThat(hello).as("the child's frame through the switch").isNotNull();
                    byte[] back = VdeClientInteropTest.frame("02:00:00:00:00:99", "02:00:00:00:00:0e", 60, 5);
                    VdeTools.waitUntil("the child to get a frame and exit", () -> {
                        try {
                            peer.send(back);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        return !child.isAlive();
                    });
                    String out = new String(child.getInputStream().readAllBytes());
                    assertThat(child.exitValue()).as(out).isZero();
                    assertThat(out).contains("GOT");
                } finally {
                    child.destroyForcibly();
                }
            }
        } finally {
            sw.destroy();
            if (!sw.waitFor(10, TimeUnit.SECONDS)) {
                sw.destroyForcibly();
            }
            VdeTools.deleteTree(dir);
        }
    }

    @Test
    void clientsBeyondTheLimitAreRefusedAndCounted() throws Exception {
        Path dir = base.resolve("sw");
        try (EthernetPort host = EthernetPorts.open("switch://" + dir + "[maxclients=2]");
                VdePort a = VdeScheme.connect(dir.toRealPath(), null, null, null, 0700, "a");
                VdePort b = VdeScheme.connect(dir.toRealPath(), null, null, null, 0700, "b")) {
            assertThatThrownBy(() -> VdeScheme.connect(dir.toRealPath(), null, null, null, 0700, "c").close())
                    .isInstanceOf(java.net.ConnectException.class).hasMessageContaining("refused");
            NodeDirectory served = NodeDirectory.lookup(dir.toRealPath());
            VdeTools.waitUntil("the refusal to be counted", () -> served.refusedClients() == 1);
            assertThat(served.socketClients()).isEqualTo(2);
        }
        List<String> left;
        try (var s = Files.list(base)) {
            left = s.map(p -> p.getFileName().toString()).toList();
        }
        assertThat(left).doesNotContain("sw");
    }
}
