package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.Map;
import org.jioth.jnet.loop.Counter;
import org.jioth.jnet.mem.MemoryBudget;
import org.jioth.testkit.ChannelEchoServer;
import org.jioth.testkit.ChildProcess;
import org.jioth.testkit.SwitchNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, against a real remote peer: the Linux kernel in a namespace on Debian's
 * {@code vde_switch} runs a small Python client that opens 300 connections to a jnet echo server
 * whose stack has a 1 MiB budget, sends a byte and then 64 KiB on each and never reads the echo.
 * The stack's accounting stays within its budget, its pressure counters move, it keeps answering
 * ping and an echo connection the client opened before the flood still echoes; nothing fails.
 * Bounded: 300 connections, the client gives up after 60 s. Needs root, /dev/net/tun, vde2,
 * python3 and ping; skips otherwise.
 */
class MemoryFloodKernelTest {
    static final String KERNEL = "192.168.247.1";
    static final String JNET = "192.168.247.2";

    /** The flood: argv host port count; prints EARLY1/EARLY2 (echo before and after) and FLOOD sent failed. */
    static final String CLIENT = """
            import socket, sys, time
            host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            def echo(s, msg):
                s.settimeout(20)
                s.sendall(msg)
                got = b''
                while len(got) < len(msg):
                    d = s.recv(len(msg) - len(got))
                    if not d:
                        break
                    got += d
                return got == msg
            early = socket.create_connection((host, port), timeout=20)
            print('EARLY1', echo(early, b'before'), flush=True)
            conns = []
            for i in range(n):
                s = socket.socket()
                s.setblocking(False)
                try:
                    s.connect((host, port))
                except BlockingIOError:
                    pass
                conns.append(s)
            time.sleep(3)
            big = b'x' * 65536
            sent = failed = 0
            for s in conns:
                try:
                    s.send(b'\\x01')
                    s.send(big)
                    sent += 1
                except OSError:
                    failed += 1
            time.sleep(5)
            print('FLOOD', sent, failed, flush=True)
            print('EARLY2', echo(early, b'after'), flush=True)
            """;

    @Test
    @Timeout(180)
    void aKernelPeerFloodingConnectionsCannotTakeTheStackPastItsBudget(@TempDir Path dir) throws Exception {
        String missing = SwitchNamespace.missing("python3", "ping");
        assumeTrue(missing == null, missing);
        try (SwitchNamespace net = SwitchNamespace.start(dir, KERNEL + "/24")) {
            JnetStack s = JnetStack.builder().options("membudget=1m").vnl("vde://" + net.switchDir()).build();
            try {
                s.config().linkSetUpDown(2, true);
                s.config().ipAddrAdd(InetAddress.ofLiteral(JNET), 24, 2);
                ServerSocketChannel ss = s.provider().openServerSocketChannel();
                ss.bind(new InetSocketAddress(JNET, 7), 512);
                try (ChannelEchoServer echo = ChannelEchoServer.start(ss, 16 * 1024)) {
                    ChildProcess.Result flood = net.exec(90, "python3", "-c", CLIENT, JNET, "7", "300");
                    assertThat(flood.exitCode()).as(flood.output()).isZero();
                    assertThat(flood.output()).contains("EARLY1 True").contains("EARLY2 True");

                    ChildProcess.Result ping = net.exec(30, "ping", "-c", "2", "-W", "5", JNET);
                    assertThat(ping.exitCode()).as(ping.output()).isZero();

                    MemoryBudget budget = s.memory();
                    Map<String, Long> st = s.statistics();
                    assertThat(budget.peak()).as(st.toString()).isLessThanOrEqualTo(budget.limit());
                    assertThat(st.get("Mem.PressureEvents")).as(st.toString()).isPositive();
                    assertThat(st.get("Mem.ConnectionsRefused")).as(st.toString()).isPositive();
                    assertThat(s.health().isAlive()).isTrue();
                    assertThat(s.counter(Counter.LOOP_ERRORS)).isZero();
                }
            } finally {
                s.sockets().closeAll();
                s.close();
            }
        }
    }
}
