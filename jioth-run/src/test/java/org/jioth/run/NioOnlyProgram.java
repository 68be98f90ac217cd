package org.jioth.run;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** A NIO program that knows nothing of jioth, run with the -D flags only (no agent) by {@link JvmWideStackTest}. */
public final class NioOnlyProgram {
    public static void main(String[] args) throws Exception {
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("server", 5000))) {
            ch.write(ByteBuffer.wrap("plain -D flags\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer in = ByteBuffer.allocate(64);
            while (in.position() < 15 && ch.read(in) >= 0) {
                // until the echo is back
            }
            System.out.println("echo " + new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII).strip()
                    + " via " + ch.getClass().getSimpleName() + " from " + ch.getLocalAddress());
        }
    }
}
