package org.jioth.spi;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;

/**
 * A provider that opens its channels from another one and records each in a {@link SocketRegistry}.
 * For plug-ins whose sockets are another provider's channels (the kernel plug-in's are the JDK's):
 * the channels stay the delegate's own, so they register with its selectors as usual.
 *
 * <p>Channels accepted from a tracked {@link ServerSocketChannel} are made by the delegate and
 * cannot be seen here; they are not counted.
 */
public class TrackingSelectorProvider extends SelectorProvider {
    private final SelectorProvider delegate;
    private final SocketRegistry sockets;

    public TrackingSelectorProvider(SelectorProvider delegate, SocketRegistry sockets) {
        this.delegate = delegate;
        this.sockets = sockets;
    }

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return sockets.track(delegate.openDatagramChannel());
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        return sockets.track(delegate.openDatagramChannel(family));
    }

    @Override
    public Pipe openPipe() throws IOException {
        return delegate.openPipe();
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        return delegate.openSelector();
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        return sockets.track(delegate.openServerSocketChannel());
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        return sockets.track(delegate.openServerSocketChannel(family));
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        return sockets.track(delegate.openSocketChannel());
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        return sockets.track(delegate.openSocketChannel(family));
    }
}
