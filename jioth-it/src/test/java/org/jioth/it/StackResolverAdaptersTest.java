package org.jioth.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.jioth.IothStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stack's own resolver behind OkHttp ({@link Dns}) and Netty ({@link StackAddressResolverGroup}):
 * {@code files.test} is known only to dnsmasq in a Linux namespace on the switch, asked over the jnet
 * stack; the file then comes from python3's http.server in the same namespace, byte-exact.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StackResolverAdaptersTest {
    static final int PORT = 8000;
    static final String PEER = VdeNet.NET + 1;

    @TempDir
    Path dir;
    VdeNet net;
    EventLoopGroup group;
    IothStack stack;
    byte[] file;

    @BeforeEach
    void setUp() throws Exception {
        VdeNet.assumeKernelPeers("python3", "ss", "dnsmasq");
        net = VdeNet.start(dir);
        stack = net.jnet(50);
        String ns = net.namespace(1);
        Path www = Files.createDirectories(dir.resolve("www"));
        file = Bytes.random(1 << 20, 31);
        Files.write(www.resolve("f.bin"), file);
        Process dnsmasq = net.start(ns, "dnsmasq.log", "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
                "--no-hosts", "--bind-interfaces", "--listen-address=" + PEER, "--user=root",
                "--pid-file=" + dir.resolve("dnsmasq.pid"), "--log-facility=-", "--address=/files.test/" + PEER, "--local=/test/");
        net.start(ns, "python.log", "python3", "-m", "http.server", String.valueOf(PORT), "--bind", PEER,
                "--directory", www.toString());
        assertThat(net.awaitListening(ns, PORT)).as("python3 http.server: %s", net.log("python.log")).isTrue();
        stack.configure("dns=" + PEER);
        net.awaitLog("dnsmasq.log", "started", dnsmasq); // dnsmasq logs "started" once it listens
    }

    @AfterEach
    void tearDown() throws Exception {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        if (net != null) {
            net.close();
        }
    }

    @Test
    void okHttpResolvesOverTheStack() throws Exception {
        // --- recipe: OkHttp resolving on a stack ---
        Dns dns = stack.resolver()::lookup;
        OkHttpClient client = new OkHttpClient.Builder().socketFactory(stack.socketFactory()).dns(dns).build();
        // --- end of recipe ---
        try (Response r = client.newCall(new Request.Builder().url("http://files.test:" + PORT + "/f.bin").build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().bytes()).isEqualTo(file);
        } finally {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }

    @Test
    void nettyResolvesOverTheStack() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(stack.provider()));
        CompletableFuture<FullHttpResponse> response = new CompletableFuture<>();
        // --- recipe: Netty resolving on a stack ---
        Bootstrap b = new Bootstrap().group(group)
                .channelFactory(() -> new NioSocketChannel(stack.provider()))
                .resolver(new StackAddressResolverGroup(stack.resolver()));
        // --- end of recipe ---
        Channel ch = b.handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(4 << 20),
                                new SimpleChannelInboundHandler<FullHttpResponse>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                        response.complete(r.retainedDuplicate());
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        response.completeExceptionally(cause);
                                    }
                                });
                    }
                })
                .connect(InetSocketAddress.createUnresolved("files.test", PORT)).sync().channel();
        var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/f.bin");
        request.headers().set(HttpHeaderNames.HOST, "files.test");
        ch.writeAndFlush(request);
        FullHttpResponse r = response.get(60, TimeUnit.SECONDS);
        try {
            assertThat(r.status()).isEqualTo(HttpResponseStatus.OK);
            assertThat(ByteBufUtil.getBytes(r.content())).isEqualTo(file);
        } finally {
            r.release();
        }
        ch.close().sync();
    }
}
