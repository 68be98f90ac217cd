package org.jioth.run;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;

/**
 * The JVM-wide NIO provider: {@code -Djava.nio.channels.spi.SelectorProvider=org.jioth.run.StackSelectorProvider}
 * with {@code -Dioth.stack=jnet -Dioth.vnl=vde:///tmp/sw -Dioth.conf=eth,ip=192.168.250.50/24} makes every
 * {@code SocketChannel.open()}, {@code ServerSocketChannel.open()}, {@code DatagramChannel.open()} and
 * {@code Selector.open()} of the JVM a channel of {@link JvmStack#get()}.
 *
 * <p>The JDK instantiates this class inside {@code SelectorProvider.provider()}, so the constructor
 * builds nothing: the stack is made on the first open. Channels asked for while the stack is being
 * built, or by the stack's own provider (the kernel plug-in wraps {@code SelectorProvider.provider()}),
 * come from the JDK's provider. A pipe comes from the stack when it offers one, else from the JDK;
 * UNIX-domain channels are the JDK's (they name host paths, not stack addresses), which a selector
 * of the stack cannot select.
 */
public final class StackSelectorProvider extends SelectorProvider {

    private interface Open<T> {
        T from(SelectorProvider p) throws IOException;
    }

    /** Called by the JDK through {@code -Djava.nio.channels.spi.SelectorProvider}. */
    public StackSelectorProvider() {
    }

    private static <T> T open(Open<T> op) throws IOException {
        SelectorProvider target;
        if (Reentry.inside()) {
            target = JdkChannels.provider();
        } else {
            try {
                target = JvmStack.get().provider();
            } catch (IllegalStateException e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        Reentry.enter();
        try {
            return op.from(target);
        } finally {
            Reentry.exit();
        }
    }

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return open(SelectorProvider::openDatagramChannel);
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        return open(p -> p.openDatagramChannel(family));
    }

    @Override
    public Pipe openPipe() throws IOException {
        try {
            return open(SelectorProvider::openPipe);
        } catch (UnsupportedOperationException e) {
            return JdkChannels.provider().openPipe();
        }
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        return open(SelectorProvider::openSelector);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        return open(SelectorProvider::openServerSocketChannel);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        if (family == StandardProtocolFamily.UNIX) {
            return JdkChannels.provider().openServerSocketChannel(family); // a host path, not a stack socket
        }
        return open(p -> p.openServerSocketChannel(family));
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        return open(SelectorProvider::openSocketChannel);
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        if (family == StandardProtocolFamily.UNIX) {
            return JdkChannels.provider().openSocketChannel(family); // a host path, not a stack socket
        }
        return open(p -> p.openSocketChannel(family));
    }

    /** A channel inherited from the process that started this JVM (inetd) is the host's: the JDK's, or null. */
    @Override
    public Channel inheritedChannel() throws IOException {
        try {
            return JdkChannels.provider().inheritedChannel();
        } catch (IllegalStateException e) {
            return null;
        }
    }
}
