package org.jioth.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import org.jioth.IothStack;

/**
 * The UDP half of {@code ioth server}: every datagram to the server's port goes back to its sender
 * (a user checking a new network tries both TCP and UDP), on one virtual thread.
 */
final class UdpEcho implements AutoCloseable {
    private final DatagramChannel channel;
    private final PrintStream log;
    private final Thread thread;

    UdpEcho(IothStack stack, InetSocketAddress bind, PrintStream log) throws IOException {
        this.channel = stack.provider().openDatagramChannel();
        try {
            channel.bind(bind);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        this.log = log;
        this.thread = Thread.ofVirtual().name("ioth-udp-echo").start(this::loop);
    }

    InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    private void loop() {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        while (true) {
            try {
                buf.clear();
                SocketAddress from = channel.receive(buf);
                buf.flip();
                if (log != null) {
                    log.println("udp " + buf.remaining() + " bytes from " + from);
                }
                channel.send(buf, from);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!channel.isOpen()) {
                    return;
                }
                if (log != null) {
                    log.println("udp: " + e.getMessage()); // e.g. an unreachable sender: keep serving
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
