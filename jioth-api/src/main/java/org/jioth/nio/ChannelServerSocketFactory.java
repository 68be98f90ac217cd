package org.jioth.nio;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.spi.SelectorProvider;
import javax.net.ServerSocketFactory;

/** Makes {@code java.net.ServerSocket}s on one stack: what {@code IothStack.serverSocketFactory()} returns. */
public class ChannelServerSocketFactory extends ServerSocketFactory {
    /** The JDK's default backlog when none is given. */
    private static final int DEFAULT_BACKLOG = 50;
    private final SelectorProvider provider;

    public ChannelServerSocketFactory(SelectorProvider provider) {
        this.provider = provider;
    }

    @Override
    public ServerSocket createServerSocket() throws IOException {
        return new ChannelServerSocket(provider);
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return bound(port, DEFAULT_BACKLOG, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return bound(port, backlog, null);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress ifAddress) throws IOException {
        return bound(port, backlog, ifAddress);
    }

    private ServerSocket bound(int port, int backlog, InetAddress ifAddress) throws IOException {
        ServerSocket s = new ChannelServerSocket(provider);
        try {
            s.bind(new InetSocketAddress(ifAddress, port), backlog <= 0 ? DEFAULT_BACKLOG : backlog);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }
}
