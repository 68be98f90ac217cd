package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Netty 4.2's NIO transport on jnet's channels and selectors, as a third-party user of the
 * {@link java.nio.channels.spi.SelectorProvider} would run it: event loops whose selectors come
 * from the stack's provider, server and client channels opened by it. Echo byte-exact over the
 * loopback of one stack and between two stacks on an in-JVM switch, many concurrent connections,
 * and the stacks close (no EBUSY) once Netty has closed its channels.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NettyOnJnetTest {
    static final int PORT = 7007;

    final List<EventLoopGroup> groups = new ArrayList<>();
    final List<IothStack> stacks = new ArrayList<>();
    /** What Netty logs (java.util.logging, as no other logging library is on the class path). */
    final NettyLog nettyLog = new NettyLog();

    @BeforeEach
    void listenToNetty() {
        nettyLog.install();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            for (EventLoopGroup g : groups) {
                g.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(30, TimeUnit.SECONDS);
            }
            for (IothStack s : stacks) {
                s.closeForcibly();
            }
        } finally {
            nettyLog.uninstall();
        }
        // A selector that returns with nothing selected makes Netty count "premature" returns (its
        // epoll-bug workaround rebuilds the selector at 512); a warning means it tripped on something.
        assertThat(nettyLog.records()).as("Netty's warnings and premature-select notes").isEmpty();
    }

    static final class NettyLog extends java.util.logging.Handler {
        private final java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.netty");
        private final List<String> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        private java.util.logging.Level old;

        /** FINE so the premature-select notes (debug level) are seen; kept out of the console. */
        void install() {
            old = logger.getLevel();
            logger.setLevel(java.util.logging.Level.FINE);
            logger.setUseParentHandlers(false);
            logger.addHandler(this);
        }

        void uninstall() {
            logger.removeHandler(this);
            logger.setUseParentHandlers(true);
            logger.setLevel(old);
        }

        List<String> records() {
            return records;
        }

        @Override
        public void publish(java.util.logging.LogRecord r) {
            String text = r.getMessage() + " " + java.util.Arrays.toString(r.getParameters());
            if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue() || text.contains("prematurely")
                    || text.contains("Selector")  && text.contains("rebuil")) {
                records.add(r.getLevel() + " " + r.getLoggerName() + ": " + text
                        + (r.getThrown() == null ? "" : " " + r.getThrown()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    IothStack stack(String options, String vnl, String cidr) throws Exception {
        IothStack s = Ioth.newStack("jnet," + options, vnl);
        stacks.add(s);
        int idx = s.ifNameToIndex("vde0");
        s.linkSetUpDown(idx, true);
        String[] parts = cidr.split("/");
        s.ipAddrAdd(InetAddress.ofLiteral(parts[0]), Integer.parseInt(parts[1]), idx);
        return s;
    }

    EventLoopGroup group(IothStack s) {
        EventLoopGroup g = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory(s.provider()));
        groups.add(g);
        return g;
    }

    /** A Netty echo server on {@code s}: every read is written back, flushed at the end of each read burst. */
    Channel echoServer(IothStack s) throws Exception {
        EventLoopGroup g = group(s);
        return new ServerBootstrap().group(g)
                .channelFactory(() -> new NioServerSocketChannel(s.provider()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ctx.write(msg);
                            }

                            @Override
                            public void channelReadComplete(ChannelHandlerContext ctx) {
                                ctx.flush();
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                cause.printStackTrace();
                                ctx.close();
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress(PORT)).sync().channel();
    }

    /** Collects what comes back and completes once {@code expected} bytes arrived (or fails). */
    static final class Collector extends ChannelInboundHandlerAdapter {
        final int expected;
        final ByteArrayOutputStream got;
        final CompletableFuture<byte[]> done = new CompletableFuture<>();

        Collector(int expected) {
            this.expected = expected;
            this.got = new ByteArrayOutputStream(expected);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            try {
                byte[] chunk = new byte[b.readableBytes()];
                b.readBytes(chunk);
                synchronized (this) {
                    got.writeBytes(chunk);
                }
            } finally {
                b.release();
            }
            synchronized (this) {
                if (got.size() >= expected) {
                    done.complete(got.toByteArray());
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new AssertionError("closed after " + got.size() + " of " + expected + " bytes"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }
    }

    /** Connects a Netty client on {@code s}, sends {@code data} in chunks, returns the echo. */
    static byte[] echo(Bootstrap client, InetSocketAddress server, byte[] data, int chunk) throws Exception {
        Collector collector = new Collector(data.length);
        Channel ch = client.clone().handler(collector).connect(server).sync().channel();
        try {
            for (int off = 0; off < data.length; off += chunk) {
                int n = Math.min(chunk, data.length - off);
                ch.write(Unpooled.wrappedBuffer(data, off, n)).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
                if ((off / chunk) % 8 == 7) {
                    ch.flush();
                }
            }
            ch.flush();
            return collector.done.get(60, TimeUnit.SECONDS);
        } finally {
            ch.close().sync();
        }
    }

    Bootstrap client(IothStack s) {
        return new Bootstrap().group(group(s))
                .channelFactory(() -> new NioSocketChannel(s.provider()))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 20_000)
                .handler(new ChannelInboundHandlerAdapter());
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void echoOverTheLoopbackOfOneStack(@TempDir Path tmp) throws Exception {
        IothStack s = stack("seed=31", "null://", "192.168.250.9/24");
        Channel server = echoServer(s);
        byte[] data = random(1 << 20, 1);
        byte[] back = echo(client(s), new InetSocketAddress("127.0.0.1", PORT), data, 8192);
        assertThat(back).isEqualTo(data);
        server.close().sync();
        closeWhenNettyIsDone(s);
    }

    @Test
    void echoAndManyConnectionsBetweenTwoStacksOnAnInJvmSwitch(@TempDir Path tmp) throws Exception {
        String sw = "switch://" + tmp.resolve("sw");
        IothStack a = stack("seed=32", sw, "192.168.250.1/24");
        IothStack b = stack("seed=33", "vde://" + tmp.resolve("sw"), "192.168.250.2/24");
        Channel server = echoServer(b);
        Bootstrap client = client(a);
        InetSocketAddress to = new InetSocketAddress("192.168.250.2", PORT);

        byte[] data = random(1 << 20, 2);
        assertThat(echo(client, to, data, 16384)).isEqualTo(data);

        int n = 50;
        List<CompletableFuture<byte[]>> all = new ArrayList<>();
        List<byte[]> sent = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] d = random(20_000 + i * 97, 100 + i);
            Collector c = new Collector(d.length);
            Channel ch = client.clone().handler(c).connect(to).sync().channel();
            ch.writeAndFlush(Unpooled.wrappedBuffer(d)).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
            sent.add(d);
            all.add(c.done);
            channels.add(ch);
        }
        for (int i = 0; i < n; i++) {
            assertThat(all.get(i).get(60, TimeUnit.SECONDS)).as("connection %d", i).isEqualTo(sent.get(i));
        }
        assertThat(b.statistics().get("Tcp.PassiveOpens")).isEqualTo(n + 1L);
        for (Channel ch : channels) {
            ch.close().sync();
        }
        server.close().sync();
        closeWhenNettyIsDone(a);
        closeWhenNettyIsDone(b);
    }

    /** A refused connect reaches Netty through OP_CONNECT and finishConnect, as on the JDK's channels. */
    @Test
    void refusedConnectFailsTheConnectFuture(@TempDir Path tmp) throws Exception {
        String sw = "switch://" + tmp.resolve("sw");
        IothStack a = stack("seed=34", sw, "192.168.250.1/24");
        IothStack b = stack("seed=35", "vde://" + tmp.resolve("sw"), "192.168.250.2/24");
        var f = client(a).connect(new InetSocketAddress("192.168.250.2", PORT)).await();
        assertThat(f.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(f.cause()).isInstanceOf(java.net.ConnectException.class).hasMessageContaining("Connection refused");
        assertThat(b.statistics().get("Tcp.NoPorts")).isEqualTo(1L);
        closeWhenNettyIsDone(a);
        closeWhenNettyIsDone(b);
    }

    /**
     * Netty's connect timeout closes a channel whose connect is still pending (nobody answers ARP
     * for the address): the future fails with ConnectTimeoutException and the socket is gone.
     */
    @Test
    void connectTimeoutClosesAPendingConnect(@TempDir Path tmp) throws Exception {
        IothStack a = stack("seed=38", "switch://" + tmp.resolve("sw"), "192.168.250.1/24");
        var f = client(a).clone().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 300)
                .connect(new InetSocketAddress("192.168.250.77", PORT));
        assertThat(f.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(f.cause()).isInstanceOf(io.netty.channel.ConnectTimeoutException.class);
        assertThat(f.channel().closeFuture().await(30, TimeUnit.SECONDS)).isTrue();
        closeWhenNettyIsDone(a);
    }

    /**
     * Back-pressure: a server writes 4 MiB to a client that does not read (auto-read off), so its
     * channel turns unwritable and Netty waits for OP_WRITE; once the client reads, everything
     * arrives in order and the server saw writability come back. Then half-closure: the client
     * shuts its output and the server (ALLOW_HALF_CLOSURE) sees input shut down, answers, closes.
     */
    @Test
    void backPressureAndHalfClosure(@TempDir Path tmp) throws Exception {
        String sw = "switch://" + tmp.resolve("sw");
        IothStack a = stack("seed=36", sw, "192.168.250.1/24");
        IothStack b = stack("seed=37", "vde://" + tmp.resolve("sw"), "192.168.250.2/24");
        byte[] data = random(4 << 20, 3);
        CompletableFuture<Integer> unwritable = new CompletableFuture<>();
        CompletableFuture<Boolean> inputShut = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(group(b))
                .channelFactory(() -> new NioServerSocketChannel(b.provider()))
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    int flips;

                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        for (int off = 0; off < data.length; off += 65536) {
                            ctx.write(Unpooled.wrappedBuffer(data, off, Math.min(65536, data.length - off)));
                        }
                        ctx.flush();
                    }

                    @Override
                    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                        flips++;
                        if (ctx.channel().isWritable()) {
                            unwritable.complete(flips);
                        }
                    }

                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
                            inputShut.complete(true);
                            ctx.writeAndFlush(Unpooled.wrappedBuffer("bye".getBytes())).addListener(ChannelFutureListener.CLOSE);
                        }
                    }
                })
                .bind(new InetSocketAddress(PORT)).sync().channel();
        byte[] expected = new byte[data.length + 3];
        System.arraycopy(data, 0, expected, 0, data.length);
        System.arraycopy("bye".getBytes(), 0, expected, data.length, 3);
        Collector collector = new Collector(expected.length);
        Channel ch = client(a).clone().option(ChannelOption.AUTO_READ, false).handler(collector)
                .connect(new InetSocketAddress("192.168.250.2", PORT)).sync().channel();
        // the server's send buffer and our receive window fill up: it must wait for OP_WRITE
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (b.statistics().getOrDefault("Tcp.OutSegs", 0L) < 50 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(unwritable).isNotDone();
        ch.config().setAutoRead(true);
        ch.read();
        assertThat(unwritable.get(30, TimeUnit.SECONDS)).as("writability flips").isEqualTo(2);
        byte[] head = waitFor(collector, data.length);
        assertThat(head).isEqualTo(data);
        ((NioSocketChannel) ch).shutdownOutput().sync();
        assertThat(inputShut.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(collector.done.get(30, TimeUnit.SECONDS)).isEqualTo(expected);
        ch.closeFuture().await(30, TimeUnit.SECONDS);
        assertThat(ch.isOpen()).as("client closed after the server's FIN").isFalse();
        server.close().sync();
        closeWhenNettyIsDone(a);
        closeWhenNettyIsDone(b);
    }

    /** The first {@code n} bytes the collector got, once it has them. */
    static byte[] waitFor(Collector c, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            synchronized (c) {
                if (c.got.size() >= n) {
                    return java.util.Arrays.copyOf(c.got.toByteArray(), n);
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("only " + c.got.size() + " of " + n + " bytes arrived");
    }

    /**
     * After Netty closed its channels (the accepted ones close when their peer's FIN arrives), the
     * stack has no sockets open and closes without EBUSY.
     */
    void closeWhenNettyIsDone(IothStack s) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (s.openSockets() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(s.openSockets()).as("sockets still open on %s", s).isZero();
        s.close();
    }
}
