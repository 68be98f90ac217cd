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
        return openDatagramChannel(defaultFamily());
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        boolean inet6 = isInet6(family);
        ensureStackOpen();
        return JnetDatagramChannel.open(this, inet6);
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        return openSocketChannel(defaultFamily());
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        boolean inet6 = isInet6(family);
        ensureStackOpen();
        return JnetSocketChannel.open(this, inet6);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        return openServerSocketChannel(defaultFamily());
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        boolean inet6 = isInet6(family);
        ensureStackOpen();
        return JnetServerSocketChannel.open(this, inet6);
    }

    /**
     * The family of channels opened without one: INET6 (dual-stack), as the JDK's on Linux, unless
     * {@code java.net.preferIPv4Stack} is true.
     */
    static ProtocolFamily defaultFamily() {
        return Boolean.getBoolean("java.net.preferIPv4Stack") ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    private static boolean isInet6(ProtocolFamily family) {
        java.util.Objects.requireNonNull(family, "family");
        if (family == StandardProtocolFamily.INET6) {
            return true;
        }
        if (family != StandardProtocolFamily.INET) {
            throw new UnsupportedOperationException("jnet channels are INET or INET6, not " + family);
        }
        return false;
    }

    private void ensureStackOpen() throws IOException {
        if (stack.isClosed()) {
            throw new IOException("the jnet stack is closed");
        }
    }
}
