package org.jioth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An accept error while the listener is open (what a stack reports for a connection aborted in the
 * queue, or when descriptors run out) is logged and the server goes on serving the next client;
 * only closing the listener ends the loop.
 */
class EchoServerAcceptErrorsTest {

    @Test
    @Timeout(60)
    void transientAcceptErrorsDoNotEndTheServer() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (ServerSocketChannel real = ServerSocketChannel.open()) {
            real.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 5);
            FailingAccepts listener = new FailingAccepts(real, List.of(
                    new SocketException("Transport endpoint is not connected (getpeername, ENOTCONN)"),
                    new SocketException("Software caused connection abort (accept, ECONNABORTED)"),
                    new SocketException("Too many open files (accept, EMFILE)")));
            EchoServer server = new EchoServer(listener, log, false).start();
            try (SocketChannel c = SocketChannel.open(real.getLocalAddress())) {
                c.write(ByteBuffer.wrap("ping\n".getBytes(StandardCharsets.US_ASCII)));
                ByteBuffer b = ByteBuffer.allocate(5);
                while (b.hasRemaining() && c.read(b) >= 0) {
                    // the echo
                }
                assertThat(new String(b.array(), StandardCharsets.US_ASCII)).as("log: %s", out).isEqualTo("ping\n");
            }
            server.close();
            assertThat(listener.isOpen()).isFalse();
        }
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("accept: Transport endpoint is not connected", "accept: Software caused connection abort",
                        "accept: Too many open files");
    }

    /** A listener whose first accepts fail with the given errors, then accepts on {@code real}. */
    private static final class FailingAccepts extends ServerSocketChannel {
        private final ServerSocketChannel real;
        private final Queue<IOException> errors;

        FailingAccepts(ServerSocketChannel real, List<IOException> errors) {
            super(SelectorProvider.provider());
            this.real = real;
            this.errors = new ArrayDeque<>(errors);
        }

        @Override
        public SocketChannel accept() throws IOException {
            IOException e;
            synchronized (errors) {
                e = errors.poll();
            }
            if (e != null) {
                throw e;
            }
            return real.accept();
        }

        @Override
        public ServerSocketChannel bind(SocketAddress local, int backlog) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
            real.setOption(name, value);
            return this;
        }

        @Override
        public <T> T getOption(SocketOption<T> name) throws IOException {
            return real.getOption(name);
        }

        @Override
        public Set<SocketOption<?>> supportedOptions() {
            return real.supportedOptions();
        }

        @Override
        public ServerSocket socket() {
            return real.socket();
        }

        @Override
        public SocketAddress getLocalAddress() throws IOException {
            return real.getLocalAddress();
        }

        @Override
        protected void implCloseSelectableChannel() throws IOException {
            real.close();
        }

        @Override
        protected void implConfigureBlocking(boolean block) throws IOException {
            real.configureBlocking(block);
        }
    }
}
