package org.jioth.jnet.nio;

import java.net.SocketOption;
import java.util.ArrayList;
import java.util.List;

/**
 * jdk.net's TCP keep-alive options, looked up once and tolerated missing: when jnet is on the class
 * path and the main class is in a named module (e.g. {@code java -m jdk.httpserver}), the boot layer
 * does not resolve jdk.net and its classes cannot load. jnet then runs without these three options
 * instead of failing its first socket with NoClassDefFoundError.
 */
final class KeepAliveOptions {
    /** TCP_KEEPIDLE, TCP_KEEPINTERVAL, TCP_KEEPCOUNT; null when jdk.net is not in the boot layer. */
    static final SocketOption<Integer> IDLE;
    static final SocketOption<Integer> INTERVAL;
    static final SocketOption<Integer> COUNT;

    static {
        SocketOption<Integer> idle = null;
        SocketOption<Integer> interval = null;
        SocketOption<Integer> count = null;
        try {
            idle = jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE;
            interval = jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL;
            count = jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT;
        } catch (NoClassDefFoundError notResolved) {
            System.getLogger(KeepAliveOptions.class.getName()).log(System.Logger.Level.DEBUG,
                    "jdk.net is not in the boot layer (add --add-modules jdk.net): no TCP_KEEPIDLE/INTERVAL/COUNT");
        }
        IDLE = idle;
        INTERVAL = interval;
        COUNT = count;
    }

    private KeepAliveOptions() {
    }

    /** The options that exist in this JVM. */
    static List<SocketOption<?>> available() {
        List<SocketOption<?>> out = new ArrayList<>(3);
        if (IDLE != null) {
            out.add(IDLE);
            out.add(INTERVAL);
            out.add(COUNT);
        }
        return out;
    }
}
