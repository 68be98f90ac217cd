package org.jioth.nio;

import java.net.ProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A provider with only the machinery's own selectors and in-memory pipes. */
final class TestReadinessProvider extends ReadinessSelectorProvider {
    @Override
    public DatagramChannel openDatagramChannel() {
        throw new UnsupportedOperationException();
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() {
        throw new UnsupportedOperationException();
    }

    @Override
    public SocketChannel openSocketChannel() {
        throw new UnsupportedOperationException();
    }
}
