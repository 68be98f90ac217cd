package org.jioth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The seed echo server's buffer grows while reads fill it (1 KiB up to 64 KiB): a full-duplex
 * stream through it comes back byte for byte, and the GOT: log still stops after its limit, on
 * the kernel's loopback and on jnet's.
 */
class EchoServerStreamTest {
    private static final int BYTES = 4 << 20;
    private static final int LOGGED = 100;

    @ParameterizedTest
    @ValueSource(strings = {"kernel", "jnet"})
    void aFullDuplexStreamComesBackWhole(String stackName) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(out, true, StandardCharsets.UTF_8);
        byte[] data = new byte[BYTES];
        new Random(42).nextBytes(data);
        try (IothStack stack = Ioth.newStack(stackName);
                EchoServer server = new EchoServer(stack, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), log,
                        true).dataLogLimit(LOGGED).start();
                SocketChannel c = stack.provider().openSocketChannel()) {
            c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.localAddress().getPort()));
            AtomicReference<IOException> failed = new AtomicReference<>();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    ByteBuffer src = ByteBuffer.wrap(data);
                    while (src.hasRemaining()) {
                        // uneven writes, so the server's reads fill and do not fill its buffer
                        src.limit(Math.min(BYTES, src.position() + 1 + src.position() % 70_000));
                        c.write(src);
                        src.limit(BYTES);
                    }
                    c.shutdownOutput();
                } catch (IOException e) {
                    failed.set(e);
                }
            });
            MessageDigest got = MessageDigest.getInstance("SHA-256");
            ByteBuffer in = ByteBuffer.allocate(32 * 1024);
            long total = 0;
            int n;
            while ((n = c.read(in.clear())) >= 0) {
                got.update(in.array(), 0, n);
                total += n;
            }
            writer.join();
            assertThat(failed.get()).isNull();
            assertThat(total).isEqualTo(BYTES);
            assertThat(got.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
        }
        String text = out.toString(StandardCharsets.ISO_8859_1);
        assertThat(text).contains("(after " + LOGGED + " bytes the rest is echoed, not logged)");
        int gotLines = text.split(" GOT: ", -1).length - 1;
        assertThat(gotLines).isBetween(1, LOGGED);
    }
}
