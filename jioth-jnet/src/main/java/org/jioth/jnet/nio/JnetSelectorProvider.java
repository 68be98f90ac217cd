package org.jioth.jnet.nio;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.jioth.jnet.JnetStack;
import org.jioth.nio.ReadinessSelectorProvider;

/**
 * The channels of one jnet stack. Selectors and pipes come from {@link ReadinessSelectorProvider};
 * datagram channels are {@link JnetDatagramChannel}s, TCP ones {@link JnetSocketChannel} and
 * {@link JnetServerSocketChannel}, each counted in the stack's socket registry while open.
 */
public final class JnetSelectorProvider extends ReadinessSelectorProvider {
    private final JnetStack stack;

    public JnetSelectorProvider(JnetStack stack) {
        this.stack = stack;
    }

    public JnetStack stack() {
        return stack;
    }

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return openDatagramChannel(StandardProtocolFamily.INET);
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        if (family != StandardProtocolFamily.INET) {
            throw new UnsupportedOperationException("jnet datagram channels are IPv4 (INET) only so far, not " + family);
        }
        if (stack.isClosed()) {
            throw new IOException("the jnet stack is closed");
        }
        return JnetDatagramChannel.open(this);
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        ensureStackOpen();
        return JnetSocketChannel.open(this);
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        requireInet(family);
        return openSocketChannel();
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        ensureStackOpen();
        return JnetServerSocketChannel.open(this);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        requireInet(family);
        return openServerSocketChannel();
    }

    private void ensureStackOpen() throws IOException {
        if (stack.isClosed()) {
            throw new IOException("the jnet stack is closed");
        }
    }

    private static void requireInet(ProtocolFamily family) {
        if (family != StandardProtocolFamily.INET) {
            throw new UnsupportedOperationException("jnet TCP channels are IPv4 (INET) only so far, not " + family);
        }
    }
}
