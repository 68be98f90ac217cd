package org.jioth.slirp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.jioth.linux.netns.NetNamespace;
import org.jioth.slirp.SlirpNamespaceTest.Result;
import org.jioth.vde.Cable;
import org.jioth.vde.EthernetPort;
import org.jioth.vde.EthernetPorts;
import org.jioth.vde.tap.TapPort;
import org.junit.jupiter.api.Test;

/**
 * {@code slirp://} on {@code tap://IF/offload=1} with the Linux kernel as the guest: the tap lives
 * in a namespace the test makes, the guest downloads from and uploads to servers on the host's
 * 127.0.0.1 through 10.0.2.2, byte-exact. Downloads reach the kernel as TSO super-frames (counted);
 * uploads come through the virtio-net header's receive path. Needs root, /dev/net/tun, iproute2,
 * busybox, socat and sha256sum; skips otherwise.
 */
class SlirpTapOffloadTest {
    private static final long BODY = 8L << 20;

    @Test
    void aLinuxGuestFetchesAndSendsByteExactThroughATsoTap() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to create a network namespace");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
        for (String tool : List.of("ip", "busybox", "socat", "sha256sum")) {
            assumeTrue(SlirpNamespaceTest.run(10, "sh", "-c", "command -v " + tool).code() == 0, "needs " + tool);
        }
        String id = UUID.randomUUID().toString().substring(0, 6);
        String ns = "slirptso-" + id;
        String tap = "stso" + id;
        Result made = SlirpNamespaceTest.run(10, "ip", "netns", "add", ns);
        assumeTrue(made.code() == 0, "cannot create a namespace: " + made.out());
        try (HostServers.Http http = new HostServers.Http(BODY);
                ServerSocketChannel sink = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                EthernetPort port = openIn(ns, "tap://" + tap + "/offload=1");
                EthernetPort slirp = EthernetPorts.open("slirp:///tso=1")) {
            SlirpNamespaceTest.ok(guest(ns, "ip link set lo up && ip link set " + tap + " up && ip addr add 10.0.2.15/24 dev "
                    + tap + " && ip route add default via 10.0.2.2"));
            Cable cable = Cable.join(slirp, port);
            try {
                Result fetch = guest(ns, "busybox wget -q -O - http://10.0.2.2:" + http.port() + "/data | sha256sum");
                SlirpNamespaceTest.ok(fetch);
                assertThat(fetch.out()).startsWith(HostServers.sha256(BODY));
                assertThat(((TapPort) port).superFramesOut()).as("TSO super-frames written").isPositive();
                assertThat(((TapPort) port).segmentedFramesOut()).as("TSO segments of the gateway's TCP").isPositive();

                CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> digestOfOneConnection(sink), r -> Thread.ofVirtual().start(r));
                int sinkPort = ((InetSocketAddress) sink.getLocalAddress()).getPort();
                Result upload = guest(ns, "head -c 3000001 /dev/urandom > /tmp/up-" + id + " && sha256sum /tmp/up-" + id
                        + " && socat -u FILE:/tmp/up-" + id + " TCP4:10.0.2.2:" + sinkPort + "; rm -f /tmp/up-" + id);
                SlirpNamespaceTest.ok(upload);
                assertThat(upload.out()).startsWith(received.get(60, TimeUnit.SECONDS));
                assertThat(port.statistics().droppedMalformed.sum()).isZero();
            } finally {
                cable.close();
            }
        } finally {
            SlirpNamespaceTest.run(10, "ip", "netns", "del", ns);
        }
    }

    private static Result guest(String ns, String script) throws Exception {
        return SlirpNamespaceTest.run(120, "ip", "netns", "exec", ns, "sh", "-c", script);
    }

    /** Opens a port on a platform thread inside namespace {@code ns}, so the tap is made there. */
    private static EthernetPort openIn(String ns, String vnl) throws Exception {
        FutureTask<EthernetPort> task = new FutureTask<>(() -> {
            NetNamespace.enter(Path.of("/var/run/netns", ns));
            return EthernetPorts.open(vnl);
        });
        Thread t = Thread.ofPlatform().name("open-in-" + ns).start(task);
        try {
            return task.get(30, TimeUnit.SECONDS);
        } finally {
            t.join(5_000);
        }
    }

    private static String digestOfOneConnection(ServerSocketChannel server) {
        try (SocketChannel c = server.accept()) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            ByteBuffer b = ByteBuffer.allocate(65536);
            while (c.read(b.clear()) >= 0) {
                sha.update(b.flip());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
