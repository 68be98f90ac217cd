package org.jioth.cli;

import java.nio.channels.SocketChannel;

/** A program that knows nothing of jioth: opens one SocketChannel and says which class it got. */
public final class OpenOneChannel {
    public static void main(String[] args) throws Exception {
        try (SocketChannel c = SocketChannel.open()) {
            System.out.println("opened " + c.getClass().getName());
        }
    }
}
