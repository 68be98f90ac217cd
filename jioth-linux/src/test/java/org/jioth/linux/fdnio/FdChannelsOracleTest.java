package org.jioth.linux.fdnio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The descriptor channels against the JDK's own provider as the oracle: each scenario runs on both
 * over loopback and records what it observes; the records must be equal.
 */
@Timeout(60)
class FdChannelsOracleTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    interface Scenario {
        void run(SelectorProvider p, List<String> seen) throws Exception;
    }

    private static void sameAsJdk(Scenario s) throws Exception {
        List<String> jdk = new ArrayList<>();
        s.run(SelectorProvider.provider(), jdk);
        List<String> ours = new ArrayList<>();
        s.run(FdSelectorProvider.local(), ours);
        assertThat(ours).as("descriptor channels vs the JDK's").isEqualTo(jdk);
        assertThat(jdk).isNotEmpty();
    }

    /**
     * A client that resets (SO_LINGER 0) or closes before the server accepts: accept still hands
     * out the connection with the peer's address (the JDK takes it from accept itself; asking
     * getpeername afterwards fails with ENOTCONN on the reset one), and its first read reports the
     * reset, or the data then end of stream. The next client is served as usual.
     */
    @Test
    void connectionsResetOrClosedBeforeAcceptAreStillAccepted() throws Exception {
        sameAsJdk((p, seen) -> {
            try (ServerSocketChannel server = p.openServerSocketChannel()) {
                server.bind(new InetSocketAddress(LOOPBACK, 0), 5);
                SocketChannel reset = SocketChannel.open(server.getLocalAddress());
                int resetPort = ((InetSocketAddress) reset.getLocalAddress()).getPort();
                reset.setOption(StandardSocketOptions.SO_LINGER, 0);
                reset.close(); // RST while the connection waits in the accept queue
                SocketChannel closed = SocketChannel.open(server.getLocalAddress());
                int closedPort = ((InetSocketAddress) closed.getLocalAddress()).getPort();
                closed.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                closed.close(); // FIN after data
                try (SocketChannel a = server.accept()) {
                    seen.add("reset accepted, peer port matches " + (((InetSocketAddress) a.getRemoteAddress()).getPort() == resetPort));
                    try {
                        seen.add("read " + a.read(ByteBuffer.allocate(16)));
                    } catch (IOException e) {
                        seen.add("read failed " + e.getClass().getSimpleName());
                    }
                }
                try (SocketChannel a = server.accept()) {
                    seen.add("closed accepted, peer port matches " + (((InetSocketAddress) a.getRemoteAddress()).getPort() == closedPort));
                    ByteBuffer b = ByteBuffer.allocate(16);
                    while (a.read(b) >= 0) {
                        // until end of stream
                    }
                    seen.add("read " + b.position() + " bytes then end of stream");
                }
                try (SocketChannel next = SocketChannel.open(server.getLocalAddress()); SocketChannel a = server.accept()) {
                    next.write(ByteBuffer.wrap(new byte[] {9}));
                    ByteBuffer b = ByteBuffer.allocate(1);
                    a.read(b);
                    seen.add("next client served " + b.get(0));
                }
            }
        });
    }

    @Test
    void blockingTcpEchoIsByteExactAndEndsWithEndOfStream() throws Exception {
        sameAsJdk((p, seen) -> {
            byte[] data = new byte[3_000_000];
            new Random(7).nextBytes(data);
            try (ServerSocketChannel server = p.openServerSocketChannel()) {
                server.bind(new InetSocketAddress(LOOPBACK, 0));
                java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
                CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                    try (SocketChannel c = server.accept()) {
                        ByteBuffer b = ByteBuffer.allocateDirect(65536);
                        while (c.read(b) >= 0) {
                            b.flip();
                            c.write(b);
                            b.clear();
                        }
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }, threads);
                try (SocketChannel c = p.openSocketChannel()) {
                    seen.add("connect " + c.connect(server.getLocalAddress()));
                    seen.add("connected " + c.isConnected() + " pending " + c.isConnectionPending());
                    seen.add("remote " + c.getRemoteAddress().equals(server.getLocalAddress()));
                    c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    seen.add("nodelay " + c.getOption(StandardSocketOptions.TCP_NODELAY));
                    CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
                        ByteBuffer in = ByteBuffer.allocate(data.length);
                        try {
                            ByteBuffer[] two = {ByteBuffer.allocate(1000), ByteBuffer.allocate(9000)};
                            while (in.hasRemaining()) {
                                two[0].clear();
                                two[1].clear();
                                long n = c.read(two);
                                if (n < 0) {
                                    break;
                                }
                                in.put(two[0].flip()).put(two[1].flip());
                            }
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                        return in.array();
                    }, threads);
                    ByteBuffer out = ByteBuffer.wrap(data);
                    while (out.hasRemaining()) {
                        c.write(new ByteBuffer[] {out.slice(out.position(), Math.min(777, out.remaining())), ByteBuffer.allocate(0)});
                        out.position(out.position() + Math.min(777, out.remaining()));
                    }
                    seen.add("echo equal " + java.util.Arrays.equals(reader.get(30, TimeUnit.SECONDS), data));
                    c.shutdownOutput();
                    echo.get(30, TimeUnit.SECONDS);
                    seen.add("read after peer close " + c.read(ByteBuffer.allocate(10)));
                } finally {
                    threads.shutdownNow();
                }
            }
        });
    }

    @Test
    void blockingCallsOnVirtualThreads() throws Exception {
        sameAsJdk((p, seen) -> {
            try (ServerSocketChannel server = p.openServerSocketChannel();
                 var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                server.bind(new InetSocketAddress(LOOPBACK, 0));
                var echo = threads.submit(() -> {
                    try (SocketChannel c = server.accept()) {
                        ByteBuffer b = ByteBuffer.allocate(4096);
                        while (c.read(b) >= 0) {
                            c.write(b.flip());
                            b.clear();
                        }
                    }
                    return null;
                });
                var client = threads.submit(() -> {
                    try (SocketChannel c = p.openSocketChannel()) {
                        c.connect(server.getLocalAddress());
                        long sum = 0;
                        ByteBuffer in = ByteBuffer.allocate(1);
                        for (int i = 0; i < 2000; i++) {
                            c.write(ByteBuffer.wrap(new byte[] {(byte) i}));
                            in.clear();
                            while (in.hasRemaining()) {
                                c.read(in);
                            }
                            sum += in.get(0);
                        }
                        return sum;
                    }
                });
                seen.add("virtual ping-pong sum " + client.get(30, TimeUnit.SECONDS));
                echo.get(30, TimeUnit.SECONDS);
            }
        });
    }

    @Test
    void selectorSemantics() throws Exception {
        sameAsJdk((p, seen) -> {
            try (Selector sel = p.openSelector();
                 ServerSocketChannel server = p.openServerSocketChannel(StandardProtocolFamily.INET)) {
                server.bind(new InetSocketAddress(LOOPBACK, 0)).configureBlocking(false);
                SelectionKey acceptKey = server.register(sel, 0);
                SocketChannel client = p.openSocketChannel(StandardProtocolFamily.INET);
                client.configureBlocking(false);
                seen.add("nb connect " + client.connect(server.getLocalAddress()));
                SelectionKey connectKey = client.register(sel, SelectionKey.OP_CONNECT, "att");
                seen.add("attachment " + connectKey.attachment());
                // empty interest: the pending connection on the server is never selected
                boolean connected = false;
                for (int i = 0; i < 50 && !connected; i++) {
                    sel.select(200);
                    for (SelectionKey k : sel.selectedKeys()) {
                        seen.add("selected " + (k == connectKey ? "client" : "server") + " ops " + k.readyOps());
                        if (k == connectKey) {
                            connected = client.finishConnect();
                        }
                    }
                    sel.selectedKeys().clear();
                }
                seen.add("finishConnect " + connected);
                acceptKey.interestOps(SelectionKey.OP_ACCEPT);
                seen.add("select accept " + sel.select(10_000));
                seen.add("accept ready " + acceptKey.isAcceptable() + " ops " + acceptKey.readyOps());
                SocketChannel accepted = server.accept();
                seen.add("accepted " + (accepted != null));
                seen.add("second accept " + server.accept());
                sel.selectedKeys().clear();
                acceptKey.interestOps(0);
                // readyOps stay a subset of interest; a selected key gains ops without being counted twice
                connectKey.interestOps(SelectionKey.OP_WRITE);
                seen.add("select write " + sel.select(10_000) + " ops " + connectKey.readyOps());
                accepted.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                connectKey.interestOps(SelectionKey.OP_WRITE | SelectionKey.OP_READ);
                int n = 0;
                for (int i = 0; i < 50 && (connectKey.readyOps() & SelectionKey.OP_READ) == 0; i++) {
                    n += sel.select(200);
                }
                seen.add("gained read " + n + " ops " + connectKey.readyOps() + " selected " + sel.selectedKeys().size());
                seen.add("again " + sel.selectNow());
                // the selected-key set refuses additions
                try {
                    sel.selectedKeys().add(acceptKey);
                    seen.add("add allowed");
                } catch (UnsupportedOperationException e) {
                    seen.add("add refused");
                }
                sel.selectedKeys().clear();
                // wakeup is sticky, coalesces, and selectNow clears it
                sel.wakeup();
                sel.wakeup();
                connectKey.interestOps(0);
                long t0 = System.nanoTime();
                seen.add("woken select " + sel.select() + " fast " + (System.nanoTime() - t0 < 30_000_000_000L));
                sel.wakeup();
                seen.add("selectNow " + sel.selectNow());
                t0 = System.nanoTime();
                seen.add("select after selectNow " + sel.select(300) + " waited " + (System.nanoTime() - t0 >= 250_000_000L));
                // cancelled keys leave the key set at the next selection
                seen.add("keys " + sel.keys().size());
                connectKey.cancel();
                seen.add("valid " + connectKey.isValid() + " keys " + sel.keys().size());
                sel.selectNow();
                seen.add("keys after select " + sel.keys().size() + " registered " + client.isRegistered());
                try {
                    connectKey.interestOps(SelectionKey.OP_READ);
                } catch (java.nio.channels.CancelledKeyException e) {
                    seen.add("cancelled key refuses interest");
                }
                // a channel of another provider is refused
                try (SocketChannel foreign = (p == SelectorProvider.provider() ? FdSelectorProvider.local() : SelectorProvider.provider())
                        .openSocketChannel()) {
                    foreign.configureBlocking(false);
                    foreign.register(sel, SelectionKey.OP_READ);
                    seen.add("foreign accepted");
                } catch (IllegalSelectorException e) {
                    seen.add("foreign refused");
                }
                accepted.close();
                client.close();
            }
        });
    }

    @Test
    void closeAndInterruptEndBlockedCalls() throws Exception {
        sameAsJdk((p, seen) -> {
            try (ServerSocketChannel server = p.openServerSocketChannel()) {
                server.bind(new InetSocketAddress(LOOPBACK, 0));
                InetSocketAddress refusing;
                try (ServerSocketChannel gone = p.openServerSocketChannel()) {
                    gone.bind(new InetSocketAddress(LOOPBACK, 0));
                    refusing = (InetSocketAddress) gone.getLocalAddress();
                }
                SocketChannel c = p.openSocketChannel();
                c.connect(server.getLocalAddress());
                SocketChannel peer = server.accept();
                for (boolean virtual : new boolean[] {false, true}) {
                    AtomicReference<Throwable> failure = new AtomicReference<>();
                    SocketChannel victim = virtual ? peer : c;
                    Thread t = (virtual ? Thread.ofVirtual() : Thread.ofPlatform()).start(() -> {
                        try {
                            victim.read(ByteBuffer.allocate(10));
                        } catch (Throwable e) {
                            failure.set(e);
                        }
                    });
                    Thread.sleep(200); // let it block; the outcome does not depend on it
                    victim.close();
                    t.join(10_000);
                    seen.add((virtual ? "virtual" : "platform") + " read ended by close: " + name(failure.get()));
                }
                // interrupt: the channel closes and the reader gets ClosedByInterruptException
                SocketChannel c2 = p.openSocketChannel();
                c2.connect(server.getLocalAddress());
                SocketChannel peer2 = server.accept();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread t = Thread.ofPlatform().start(() -> {
                    try {
                        c2.read(ByteBuffer.allocate(10));
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                });
                Thread.sleep(200);
                t.interrupt();
                t.join(10_000);
                seen.add("interrupted read: " + name(failure.get()) + " open " + c2.isOpen());
                // accept ended by close
                Thread a = Thread.ofPlatform().start(() -> {
                    try {
                        server.accept();
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                });
                Thread.sleep(200);
                server.close();
                a.join(10_000);
                seen.add("accept ended by close: " + name(failure.get()));
                peer2.close();
                // connect refused
                try (SocketChannel r = p.openSocketChannel()) {
                    r.connect(refusing);
                } catch (java.net.ConnectException e) {
                    seen.add("refused: ConnectException");
                }
            }
        });
        assertThat(AsynchronousCloseException.class).isNotNull();
        assertThat(ClosedByInterruptException.class).isNotNull();
    }

    private static String name(Throwable t) {
        return t == null ? "none" : t.getClass().getSimpleName();
    }

    @Test
    void datagramEchoAndNonBlockingReceive() throws Exception {
        sameAsJdk((p, seen) -> {
            try (DatagramChannel a = p.openDatagramChannel(StandardProtocolFamily.INET);
                 DatagramChannel b = p.openDatagramChannel(StandardProtocolFamily.INET);
                 Selector sel = p.openSelector()) {
                a.bind(new InetSocketAddress(LOOPBACK, 0));
                b.bind(new InetSocketAddress(LOOPBACK, 0));
                b.configureBlocking(false);
                seen.add("nothing yet " + b.receive(ByteBuffer.allocate(10)));
                b.register(sel, SelectionKey.OP_READ);
                byte[] msg = "hello datagram".getBytes();
                seen.add("sent " + a.send(ByteBuffer.wrap(msg), b.getLocalAddress()));
                seen.add("selected " + sel.select(10_000));
                ByteBuffer in = ByteBuffer.allocate(5);
                seen.add("from a " + b.receive(in).equals(a.getLocalAddress()) + " truncated to " + in.position());
                a.connect(b.getLocalAddress());
                seen.add("connected " + a.isConnected());
                b.send(ByteBuffer.wrap(msg), a.getLocalAddress());
                ByteBuffer back = ByteBuffer.allocate(100);
                seen.add("read " + a.read(back) + " " + new String(back.array(), 0, back.position()));
                a.disconnect();
                seen.add("disconnected " + a.isConnected());
            }
        });
    }

    @Test
    void defaultChannelsAreDualStack() throws Exception {
        sameAsJdk((p, seen) -> {
            try (ServerSocketChannel s = p.openServerSocketChannel()) {
                s.bind(new InetSocketAddress(0));
                try (SocketChannel c = p.openSocketChannel()) {
                    c.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), ((InetSocketAddress) s.getLocalAddress()).getPort()));
                    try (SocketChannel a = s.accept()) {
                        seen.add("peer " + ((InetSocketAddress) a.getRemoteAddress()).getAddress());
                        seen.add("local " + ((InetSocketAddress) c.getLocalAddress()).getAddress());
                    }
                }
            }
        });
    }

    @Test
    void closedSelectorRefusesUse() throws Exception {
        Selector s = FdSelectorProvider.local().openSelector();
        s.close();
        assertThatThrownBy(s::select).isInstanceOf(java.nio.channels.ClosedSelectorException.class);
        assertThatThrownBy(s::keys).isInstanceOf(java.nio.channels.ClosedSelectorException.class);
    }
}
