package org.jioth.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jioth.IothStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC-java over grpc-netty on two jnet stacks on one vde_switch: the server on one, the client
 * on the other, each given an event-loop group and a channel factory over its stack's provider.
 * No protoc: the methods are described by hand with a byte[] marshaller. A 1 MiB unary call, a
 * server stream of 64 messages, and 100 concurrent unary calls, all byte-exact.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GrpcTest {
    static final int PORT = 50051;

    /** Bytes in, bytes out: the whole message is the payload. */
    static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("jioth.Echo", "Echo"))
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    /** Answers a request of 4 bytes (big-endian count n) with n messages, message i being 1000 bytes seeded i. */
    static final MethodDescriptor<byte[], byte[]> CHUNKS = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("jioth.Echo", "Chunks"))
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    @TempDir
    Path dir;
    VdeNet net;
    final List<EventLoopGroup> groups = new ArrayList<>();
    Server server;
    ManagedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        VdeNet.assumeSwitch();
        net = VdeNet.start(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        for (EventLoopGroup g : groups) {
            g.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(20, TimeUnit.SECONDS);
        }
        if (net != null) {
            net.close();
        }
    }

    static ServerServiceDefinition echoService() {
        return ServerServiceDefinition.builder("jioth.Echo")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((byte[] req, StreamObserver<byte[]> out) -> {
                    out.onNext(req);
                    out.onCompleted();
                }))
                .addMethod(CHUNKS, ServerCalls.asyncServerStreamingCall((byte[] req, StreamObserver<byte[]> out) -> {
                    int n = java.nio.ByteBuffer.wrap(req).getInt();
                    for (int i = 0; i < n; i++) {
                        out.onNext(Bytes.random(1000, i));
                    }
                    out.onCompleted();
                }))
                .build();
    }

    @Test
    void grpcServerAndClientOnTwoJnetStacks() throws Exception {
        IothStack serverStack = net.jnet(50);
        IothStack clientStack = net.jnet(51);

        // --- recipe: gRPC server on a stack ---
        EventLoopGroup serverLoops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory(serverStack.provider()));
        groups.add(serverLoops);
        server = NettyServerBuilder.forAddress(new InetSocketAddress(PORT))
                .bossEventLoopGroup(serverLoops)
                .workerEventLoopGroup(serverLoops)
                .channelFactory(() -> new NioServerSocketChannel(serverStack.provider()))
                .addService(echoService())
                .build().start();

        // --- recipe: gRPC client on a stack ---
        EventLoopGroup clientLoops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(clientStack.provider()));
        groups.add(clientLoops);
        channel = NettyChannelBuilder.forAddress(new InetSocketAddress(VdeNet.NET + 50, PORT))
                .eventLoopGroup(clientLoops)
                .channelFactory(() -> new NioSocketChannel(clientStack.provider()))
                .usePlaintext()
                .build();
        // --- end of recipe ---

        byte[] big = Bytes.random(1 << 20, 50);
        assertThat(ClientCalls.blockingUnaryCall(channel, ECHO, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), big))
                .isEqualTo(big);

        var chunks = ClientCalls.blockingServerStreamingCall(channel, CHUNKS,
                CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), java.nio.ByteBuffer.allocate(4).putInt(64).array());
        int i = 0;
        while (chunks.hasNext()) {
            assertThat(chunks.next()).as("message %d", i).isEqualTo(Bytes.random(1000, i));
            i++;
        }
        assertThat(i).isEqualTo(64);

        List<com.google.common.util.concurrent.ListenableFuture<byte[]>> calls = new ArrayList<>();
        for (int c = 0; c < 100; c++) {
            calls.add(ClientCalls.futureUnaryCall(channel.newCall(ECHO, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS)),
                    Bytes.random(100 + c * 37, 1000 + c)));
        }
        for (int c = 0; c < 100; c++) {
            assertThat(calls.get(c).get(30, TimeUnit.SECONDS)).as("call %d", c).isEqualTo(Bytes.random(100 + c * 37, 1000 + c));
        }
        assertThat(serverStack.statistics().get("Tcp.PassiveOpens")).as("one HTTP/2 connection").isEqualTo(1L);
    }
}
