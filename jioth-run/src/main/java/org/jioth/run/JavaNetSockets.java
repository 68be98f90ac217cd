package org.jioth.run;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.spi.SelectorProvider;
import org.jioth.nio.ChannelServerSocketImpl;
import org.jioth.nio.ChannelSocketImpl;

/**
 * Sends {@code java.net.Socket} and {@code java.net.ServerSocket} of the whole JVM through a
 * stack, with the JDK's socket-implementation factories ({@code Socket.setSocketImplFactory},
 * {@code ServerSocket.setSocketFactory}: deprecated since JDK 17 but present in JDK 25). They can
 * be set once per JVM, before the program sets its own.
 */
public final class JavaNetSockets {

    private JavaNetSockets() {
    }

    /**
     * Installs the factories.
     *
     * @throws IOException when a factory is already set (the JDK allows one per JVM)
     */
    @SuppressWarnings("deprecation")
    public static void install(SelectorProvider provider) throws IOException {
        Socket.setSocketImplFactory(() -> new ChannelSocketImpl(provider));
        ServerSocket.setSocketFactory(() -> new ChannelServerSocketImpl(provider));
    }
}
