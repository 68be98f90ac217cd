package org.jioth.slirp;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Peers on the host's 127.0.0.1 for the slirp tests: an HTTP server of one deterministic body, a UDP echo server. */
final class HostServers {
    private HostServers() {
    }

    /** Byte {@code i} of the test body: not periodic over short spans, cheap to make. */
    static byte bodyByte(long i) {
        long x = i * 0x9E3779B97F4A7C15L;
        return (byte) (x >>> 56 ^ i >>> 11);
    }

    static void fill(ByteBuffer b, long from) {
        for (int k = 0; k < b.remaining(); k++) {
            b.put(b.position() + k, bodyByte(from + k));
        }
    }

    static String sha256(long length) throws NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        for (long at = 0; at < length; at += b.capacity()) {
            b.clear().limit((int) Math.min(b.capacity(), length - at));
            fill(b, at);
            md.update(b);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Serves {@code length} body bytes on GET of any path, one request per connection. */
    static final class Http implements Closeable {
        final ServerSocketChannel server;
        private final long length;
        private final Thread thread;

        Http(long length) throws IOException {
            this(length, InetAddress.getLoopbackAddress());
        }

        Http(long length, InetAddress bind) throws IOException {
            this.length = length;
            server = ServerSocketChannel.open().bind(new InetSocketAddress(bind, 0));
            thread = Thread.ofPlatform().daemon().name("test http").start(this::serve);
        }

        int port() throws IOException {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        }

        private void serve() {
            while (server.isOpen()) {
                try {
                    SocketChannel c = server.accept();
                    Thread.ofVirtual().start(() -> answer(c));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void answer(SocketChannel c) {
            try (c) {
                ByteBuffer req = ByteBuffer.allocate(8192);
                while (!new String(req.array(), 0, req.position(), StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                    if (c.read(req) < 0 || !req.hasRemaining()) {
                        return;
                    }
                }
                c.write(ByteBuffer.wrap(("HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                        + length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)));
                ByteBuffer b = ByteBuffer.allocate(1 << 16);
                for (long at = 0; at < length; at += b.capacity()) {
                    b.clear().limit((int) Math.min(b.capacity(), length - at));
                    fill(b, at);
                    while (b.hasRemaining()) {
                        c.write(b);
                    }
                }
            } catch (IOException e) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** Echoes every datagram back to its sender. */
    static final class UdpEcho implements Closeable {
        final DatagramChannel channel;

        UdpEcho() throws IOException {
            this(InetAddress.getLoopbackAddress());
        }

        UdpEcho(InetAddress bind) throws IOException {
            channel = DatagramChannel.open().bind(new InetSocketAddress(bind, 0));
            Thread.ofPlatform().daemon().name("test udp echo").start(() -> {
                ByteBuffer b = ByteBuffer.allocate(65536);
                while (channel.isOpen()) {
                    try {
                        b.clear();
                        SocketAddress from = channel.receive(b);
                        channel.send(b.flip(), from);
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() throws IOException {
            return ((InetSocketAddress) channel.getLocalAddress()).getPort();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
