package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jioth.vde.VdeClientInteropTest.frame;
import static org.jioth.vde.VdeTools.waitUntil;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.jioth.vde.Frames.Recorder;
import org.jioth.vde.VdeTools.VdePlug;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our switch:// and hub:// nodes served to real vde_plug clients, with in-JVM ports on the same node. */
class NodeHostingInteropTest {
    static final String A = "02:00:00:00:00:0a";
    static final String B = "02:00:00:00:00:0b";
    static final String H = "02:00:00:00:00:01";
    static final String J = "02:00:00:00:00:02";
    static final String BCAST = "ff:ff:ff:ff:ff:ff";
    static final Duration QUIET = Duration.ofMillis(300);

    @TempDir
    Path base;

    @Test
    void switchForwardsLearnsAndFloodsBetweenRealPlugsTheHostAndAnInJvmPort() throws Exception {
        Path dir = base.resolve("sw");
        try (EthernetPort host = EthernetPorts.open("switch://" + dir)) {
            Recorder hostRx = new Recorder();
            host.setSink(hostRx);
            // the files of §3.1
            assertThat(Files.isDirectory(dir)).isTrue();
            assertThat((Integer) Files.getAttribute(dir, "unix:mode") & 07777).isEqualTo(02700);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ctl"))))
                    .isEqualTo("rw-------");
            NodeDirectory served = NodeDirectory.lookup(dir.toRealPath());
            assertThat(served).isNotNull();

            try (VdePlug a = new VdePlug("plug-a", "vde://" + dir); VdePlug b = new VdePlug("plug-b", "vde://" + dir);
                    EthernetPort inJvm = EthernetPorts.open("vde://" + dir)) {
                assertThat(inJvm).isInstanceOf(NodePort.class); // joined in memory, no sockets
                Recorder jvmRx = new Recorder();
                inJvm.setSink(jvmRx);
                waitUntil("two vde_plug clients", () -> served.socketClients() == 2);
                try (var files = Files.list(dir)) {
                    assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("fd")))
                            .hasSize(2);
                }

                // A broadcasts: flooded to B, the host and the in-JVM port, byte-exact; A is learned
                byte[] aHello = frame(BCAST, A, 64, 10);
                a.send(aHello);
                assertThat(b.next(VdeTools.TIMEOUT)).isEqualTo(aHello);
                waitUntil("host and in-JVM port to get A's broadcast", () -> hostRx.frames.size() == 1
                        && jvmRx.frames.size() == 1);
                assertThat(hostRx.frames.getFirst()).isEqualTo(aHello);
                assertThat(jvmRx.frames.getFirst()).isEqualTo(aHello);
                assertThat(a.next(QUIET)).as("never back to the sender").isNull();

                // B to A (learned): only A gets it; B is learned
                byte[] bToA = frame(A, B, 1500, 11);
                b.send(bToA);
                assertThat(a.next(VdeTools.TIMEOUT)).isEqualTo(bToA);

                // A to an unknown MAC: flooded to B, host and in-JVM port
                byte[] aToUnknown = frame("02:00:00:00:00:77", A, 80, 12);
                a.send(aToUnknown);
                assertThat(b.next(VdeTools.TIMEOUT)).isEqualTo(aToUnknown);
                waitUntil("the flood to reach the host and the in-JVM port",
                        () -> hostRx.frames.size() == 2 && jvmRx.frames.size() == 2);

                // host to B (known): only B; in-JVM to A (known): only A
                byte[] hToB = frame(B, H, 200, 13);
                assertThat(host.send(ByteBuffer.wrap(hToB))).isTrue();
                assertThat(b.next(VdeTools.TIMEOUT)).isEqualTo(hToB);
                byte[] jToA = frame(A, J, 300, 14);
                assertThat(inJvm.send(ByteBuffer.wrap(jToA))).isTrue();
                assertThat(a.next(VdeTools.TIMEOUT)).isEqualTo(jToA);

                // A to the in-JVM port (learned from its last frame): only it
                byte[] aToJ = frame(J, A, 90, 15);
                a.send(aToJ);
                waitUntil("the in-JVM port to get A's unicast", () -> jvmRx.frames.size() == 3);
                assertThat(jvmRx.frames.get(2)).isEqualTo(aToJ);
                assertThat(b.next(QUIET)).as("B sees no unicast for others").isNull();
                assertThat(a.next(QUIET)).isNull();
                assertThat(hostRx.frames).hasSize(2);

                // a Java client over the socket protocol (not in memory) on the same node
                try (VdePort viaSocket = VdeScheme.connect(dir.toRealPath(), null, null, null, 0700, "java-socket")) {
                    Recorder sockRx = new Recorder();
                    viaSocket.setSink(sockRx);
                    waitUntil("three socket clients", () -> served.socketClients() == 3);
                    byte[] s = frame(BCAST, "02:00:00:00:00:33", 120, 16);
                    viaSocket.send(ByteBuffer.wrap(s));
                    assertThat(a.next(VdeTools.TIMEOUT)).isEqualTo(s);
                    assertThat(b.next(VdeTools.TIMEOUT)).isEqualTo(s);
                    waitUntil("the in-JVM port to get it", () -> jvmRx.frames.size() == 4);
                }
                waitUntil("the socket client's port to be freed", () -> served.socketClients() == 2);
            }
            waitUntil("the plugs' ports to be freed", () -> served.socketClients() == 0);
            waitUntil("their fd<N> sockets to be unlinked", () -> {
                try (var files = Files.list(dir)) {
                    return files.noneMatch(p -> p.getFileName().toString().startsWith("fd"));
                } catch (java.io.IOException e) {
                    return false;
                }
            });
        }
        assertThat(Files.exists(dir)).as("closing the node removes its directory").isFalse();
    }

    @Test
    void hubFloodsEverythingToRealPlugs() throws Exception {
        Path dir = base.resolve("hub");
        try (EthernetPort host = EthernetPorts.open("hub://" + dir + "[mode=0660]")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ctl"))))
                    .isEqualTo("rw-rw----");
            assertThat((Integer) Files.getAttribute(dir, "unix:mode") & 07777).isEqualTo(03770); // dirmode from mode, sticky as group-writable
            Recorder hostRx = new Recorder();
            host.setSink(hostRx);
            NodeDirectory served = NodeDirectory.lookup(dir.toRealPath());
            try (VdePlug a = new VdePlug("hub-a", "vde://" + dir); VdePlug b = new VdePlug("hub-b", "vde://" + dir)) {
                waitUntil("two clients", () -> served.socketClients() == 2);
                a.send(frame(BCAST, A, 50, 1));
                b.next(VdeTools.TIMEOUT);
                byte[] toA = frame(A, B, 50, 2);
                b.send(toA);
                assertThat(a.next(VdeTools.TIMEOUT)).isEqualTo(toA);
                waitUntil("the host to see both (a hub learns nothing)", () -> hostRx.frames.size() == 2);
                assertThat(hostRx.frames.get(1)).isEqualTo(toA);
            }
        }
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void existingDirectoryIsRefused() throws Exception {
        Path dir = Files.createDirectory(base.resolve("taken"));
        assertThatThrownBy(() -> EthernetPorts.open("switch://" + dir))
                .isInstanceOf(java.nio.file.FileAlreadyExistsException.class).hasMessageContaining("must not exist");
        assertThatThrownBy(() -> EthernetPorts.open("switch://" + dir + "[4]")).isInstanceOf(VnlException.class)
                .hasMessageContaining("unknown option '4'").hasMessageContaining("hashsize");
    }
}
