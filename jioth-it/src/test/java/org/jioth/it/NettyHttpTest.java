package org.jioth.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jioth.IothStack;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Netty 4.2 HTTP written the usual way, on a jnet stack: the event loops' selectors and the
 * channels come from the stack's provider. The server answers curl in a Linux namespace on the
 * same vde_switch (a download and an upload echoed back, byte-exact); the client downloads a file
 * from {@code python3 -m http.server} in the namespace.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NettyHttpTest {
    static final int JNET = 50;
    static final int KERNEL = 1;
    static final int PORT = 8080;

    @TempDir
    Path dir;
    VdeNet net;
    EventLoopGroup group;

    @BeforeEach
    void setUp() throws Exception {
        VdeNet.assumeKernelPeers("curl", "python3", "ss");
        net = VdeNet.start(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (group != null) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(20, TimeUnit.SECONDS);
        }
        if (net != null) {
            net.close();
        }
    }

    @Test
    void nettyHttpServerOnJnetServesCurlInANamespace() throws Exception {
        IothStack stack = net.jnet(JNET);
        String ns = net.namespace(KERNEL);
        byte[] blob = Bytes.random(3 << 20, 14);

        // --- recipe: Netty HTTP server on a stack ---
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory(stack.provider()));
        Channel server = new ServerBootstrap().group(group)
                .channelFactory(() -> new NioServerSocketChannel(stack.provider()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(16 << 20), new BlobHandler(blob));
                    }
                })
                .bind(new InetSocketAddress(PORT)).sync().channel();
        // --- end of recipe ---

        String url = "http://" + VdeNet.NET + JNET + ":" + PORT;
        Path got = dir.resolve("got.bin");
        ChildProcess.Result get = net.run(ns, 60, "curl", "-sS", "--retry", "5", "--retry-connrefused",
                "-o", got.toString(), url + "/blob");
        assertThat(get.exitCode()).as(get.output()).isZero();
        assertThat(Files.readAllBytes(got)).isEqualTo(blob);

        byte[] upload = Bytes.random(1 << 20, 15);
        Path up = dir.resolve("up.bin");
        Files.write(up, upload);
        Path echoed = dir.resolve("echoed.bin");
        ChildProcess.Result post = net.run(ns, 60, "curl", "-sS", "--data-binary", "@" + up,
                "-H", "Content-Type: application/octet-stream", "-o", echoed.toString(), url + "/echo");
        assertThat(post.exitCode()).as(post.output()).isZero();
        assertThat(Files.readAllBytes(echoed)).isEqualTo(upload);
        server.close().sync();
    }

    @Test
    void nettyHttpClientOnJnetDownloadsFromPythonInANamespace() throws Exception {
        IothStack stack = net.jnet(JNET);
        String ns = net.namespace(KERNEL);
        Path served = Files.createDirectories(dir.resolve("www"));
        byte[] file = Bytes.random(2 << 20, 16);
        Files.write(served.resolve("file.bin"), file);
        net.start(ns, "python.log", "python3", "-m", "http.server", String.valueOf(PORT),
                "--bind", VdeNet.NET + KERNEL, "--directory", served.toString());
        assertThat(net.awaitListening(ns, PORT)).as("python3 http.server: %s", net.log("python.log")).isTrue();

        // --- recipe: Netty HTTP client on a stack ---
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(stack.provider()));
        CompletableFuture<FullHttpResponse> response = new CompletableFuture<>();
        Channel ch = new Bootstrap().group(group)
                .channelFactory(() -> new NioSocketChannel(stack.provider()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(16 << 20),
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
                .connect(new InetSocketAddress(VdeNet.NET + KERNEL, PORT)).sync().channel();
        var request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/file.bin");
        request.headers().set(HttpHeaderNames.HOST, VdeNet.NET + KERNEL);
        ch.writeAndFlush(request);
        // --- end of recipe ---

        FullHttpResponse r = response.get(60, TimeUnit.SECONDS);
        try {
            assertThat(r.status()).isEqualTo(HttpResponseStatus.OK);
            assertThat(ByteBufUtil.getBytes(r.content())).isEqualTo(file);
        } finally {
            r.release();
        }
        ch.close().sync();
    }

    /** GET /blob answers the blob; POST /echo answers the request's body. */
    static final class BlobHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final byte[] blob;

        BlobHandler(byte[] blob) {
            this.blob = blob;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            FullHttpResponse res;
            if (req.method() == HttpMethod.GET && req.uri().equals("/blob")) {
                res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(blob));
            } else if (req.method() == HttpMethod.POST && req.uri().equals("/echo")) {
                res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, req.content().retain());
            } else {
                res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND);
            }
            HttpUtil.setContentLength(res, res.content().readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(res, keepAlive);
            var f = ctx.writeAndFlush(res);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            cause.printStackTrace();
            ctx.close();
        }
    }
}
