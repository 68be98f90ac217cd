package org.jioth.jmh;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.jioth.jnet.JnetStack;
import org.jioth.vde.EthernetNode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Two jnet stacks in one JVM over the in-JVM switch (no sockets, no syscalls): the 1-byte round
 * trip of an echo with TCP_NODELAY, and bulk transfer into a draining sink. The same measurements
 * as {@code ioth bench stack --network injvm}, with JMH's warm-up, forks and error bars.
 */
@State(Scope.Benchmark)
public class JnetPairBenchmark {
    /** Bytes per bulk write; the bulk score in ops/s times this is the rate. */
    static final int BULK_WRITE = 64 * 1024;

    EthernetNode network;
    JnetStack client;
    JnetStack server;
    ServerSocketChannel listener;
    SocketChannel echo;
    SocketChannel bulk;
    final ByteBuffer one = ByteBuffer.allocate(1);
    final ByteBuffer chunk = ByteBuffer.allocate(BULK_WRITE);

    @Setup(Level.Trial)
    public void connect() throws IOException {
        network = EthernetNode.newSwitch();
        client = stack(network, "192.168.250.50", 1);
        server = stack(network, "192.168.250.51", 2);
        listener = server.provider().openServerSocketChannel();
        listener.bind(new InetSocketAddress(7), 16);
        Thread.ofVirtual().name("jmh server").start(this::serve);
        echo = open(7);
        echo.setOption(StandardSocketOptions.TCP_NODELAY, true);
        echo.write(ByteBuffer.wrap(new byte[] {'e'}));
        bulk = open(7);
        bulk.write(ByteBuffer.wrap(new byte[] {'s'}));
    }

    private static JnetStack stack(EthernetNode network, String address, int seed) throws IOException {
        JnetStack s = JnetStack.builder().options("seed=" + seed).port("vde0", network.attach("jmh")).build();
        int index = s.config().ifNameToIndex("vde0");
        s.config().linkSetUpDown(index, true);
        s.config().ipAddrAdd(InetAddress.ofLiteral(address), 24, index);
        return s;
    }

    private SocketChannel open(int port) throws IOException {
        SocketChannel c = client.provider().openSocketChannel();
        c.connect(new InetSocketAddress("192.168.250.51", port));
        return c;
    }

    /** Accepts connections; the first byte says what each one is: 'e' echo, 's' sink. */
    private void serve() {
        try {
            while (true) {
                SocketChannel c = listener.accept();
                Thread.ofVirtual().start(() -> handle(c));
            }
        } catch (IOException e) {
            // the listener was closed at tear-down
        }
    }

    private static void handle(SocketChannel c) {
        try (c) {
            ByteBuffer first = ByteBuffer.allocate(1);
            if (c.read(first) < 0) {
                return;
            }
            boolean isEcho = first.get(0) == 'e';
            if (isEcho) {
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            ByteBuffer buf = ByteBuffer.allocate(isEcho ? 64 : 256 * 1024);
            while (c.read(buf) >= 0) {
                if (isEcho) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        c.write(buf);
                    }
                }
                buf.clear();
            }
        } catch (IOException e) {
            // closed at tear-down
        }
    }

    @Benchmark
    @BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public byte roundTrip() throws IOException {
        one.clear().put((byte) 1).flip();
        echo.write(one);
        one.clear();
        while (one.position() == 0) {
            if (echo.read(one) < 0) {
                throw new IOException("echo connection ended");
            }
        }
        return one.get(0);
    }

    /** One 64 KiB blocking write into a sink; in steady state the writer runs at the transfer rate. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(1)
    public int bulkWrite() throws IOException {
        chunk.clear();
        int n = 0;
        while (chunk.hasRemaining()) {
            n += bulk.write(chunk);
        }
        return n;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        echo.close();
        bulk.close();
        listener.close();
        client.sockets().closeAll();
        server.sockets().closeAll();
        client.close();
        server.close();
        network.close();
    }
}
