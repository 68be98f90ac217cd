package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jioth.jnet.loop.Counter;
import org.jioth.testkit.ChildProcess;
import org.jioth.testkit.Eventually;
import org.jioth.testkit.SwitchNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multicast between jnet's datagram channels and Linux in a namespace on the same vde_switch, both
 * families: the kernel sends to groups jnet joined (DatagramChannel.join) and jnet receives; jnet
 * sends to groups the kernel joined (IP_ADD_MEMBERSHIP, IPV6_JOIN_GROUP) and the kernel receives.
 */
class MulticastKernelTest {
    /** The kernel side: "send" repeats a datagram to the group; "recv" joins it and prints the first one. */
    static final String PEER = """
            import socket, struct, sys, time
            mode, fam, group, port, ifname, addr4, text = sys.argv[1:8]
            port = int(port)
            if fam == '4':
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            else:
                s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            if mode == 'send':
                if fam == '4':
                    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(addr4))
                else:
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, socket.if_nametoindex(ifname))
                for i in range(600):
                    s.sendto(text.encode(), (group, port))
                    time.sleep(0.1)
            else:
                s.bind(('', port))
                if fam == '4':
                    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(group) + socket.inet_aton(addr4))
                else:
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
                                 socket.inet_pton(socket.AF_INET6, group) + struct.pack('@I', socket.if_nametoindex(ifname)))
                print('ready', flush=True)
                s.settimeout(60)
                d, a = s.recvfrom(100)
                print('got', d.decode(), flush=True)
            """;

    @Test
    @Timeout(120)
    void kernelAndJnetExchangeMulticastBothWays(@TempDir Path dir) throws Exception {
        String missing = SwitchNamespace.missing("python3");
        assumeTrue(missing == null, missing);
        NetworkInterface nif = MulticastChannelTest.hostNic();
        java.nio.file.Files.writeString(dir.resolve("peer.py"), PEER);
        String script = dir.resolve("peer.py").toString();
        try (SwitchNamespace net = SwitchNamespace.start(dir, "192.168.251.1/24")) {
            String tap = net.tap();
            ok(net.exec(10, "ip", "-6", "addr", "add", "fd00:251::1/64", "dev", tap, "nodad"));
            JnetStack s = JnetStack.builder().options("seed=16").vnl("vde://" + net.switchDir()).build();
            try (DatagramChannel rx4 = s.provider().openDatagramChannel(StandardProtocolFamily.INET);
                 DatagramChannel rx6 = s.provider().openDatagramChannel(StandardProtocolFamily.INET6);
                 DatagramChannel tx = s.provider().openDatagramChannel(StandardProtocolFamily.INET6)) {
                s.config().linkSetUpDown(2, true);
                s.config().ipAddrAdd(InetAddress.ofLiteral("192.168.251.2"), 24, 2);
                s.config().ipAddrAdd(InetAddress.ofLiteral("fd00:251::2"), 64, 2);
                rx4.bind(new InetSocketAddress(4200)).join(InetAddress.ofLiteral("239.7.7.7"), nif);
                rx6.bind(new InetSocketAddress(4201)).join(InetAddress.ofLiteral("ff05::77"), nif);

                // the kernel sends, jnet receives
                net.spawn("send4.log", "python3", script, "send", "4", "239.7.7.7", "4200", tap, "192.168.251.1", "k4");
                net.spawn("send6.log", "python3", script, "send", "6", "ff05::77", "4201", tap, "192.168.251.1", "k6");
                assertThat(receive(rx4)).as(net.log("send4.log")).isEqualTo("k4");
                assertThat(receive(rx6)).as(net.log("send6.log")).isEqualTo("k6");

                // the kernel joins, jnet sends (one INET6 channel: IPv4 as v4-mapped, as on Linux)
                net.spawn("recv4.log", "python3", script, "recv", "4", "239.8.8.8", "4300", tap, "192.168.251.1", "-");
                net.spawn("recv6.log", "python3", script, "recv", "6", "ff05::88", "4301", tap, "192.168.251.1", "-");
                awaitLog(net, "recv4.log", "ready");
                awaitLog(net, "recv6.log", "ready");
                // repeated until both got one: the kernel's join reaches the switch in its own time
                Eventually.holds(() -> {
                    tx.send(ByteBuffer.wrap("j4".getBytes()), new InetSocketAddress(InetAddress.ofLiteral("239.8.8.8"), 4300));
                    tx.send(ByteBuffer.wrap("j6".getBytes()), new InetSocketAddress(InetAddress.ofLiteral("ff05::88"), 4301));
                    Thread.sleep(50);
                    return net.log("recv4.log").contains("got") && net.log("recv6.log").contains("got");
                });
                assertThat(net.log("recv4.log")).contains("got j4");
                assertThat(net.log("recv6.log")).contains("got j6");
                assertThat(s.counter(Counter.LOOP_ERRORS)).isZero();
            } finally {
                s.close();
            }
        }
    }

    /** The first datagram within {@link Eventually#DEADLINE} (the peer repeats its datagram every 100 ms). */
    private static String receive(DatagramChannel c) throws Exception {
        c.configureBlocking(false);
        ByteBuffer b = ByteBuffer.allocate(100);
        Eventually.holds(() -> c.receive(b) != null);
        b.flip();
        return StandardCharsets.US_ASCII.decode(b).toString();
    }

    private static void awaitLog(SwitchNamespace net, String log, String text) throws InterruptedException {
        net.awaitLog(log, text);
        assertThat(net.log(log)).contains(text);
    }

    private static void ok(ChildProcess.Result r) {
        assertThat(r.exitCode()).as(r.output()).isZero();
    }
}
