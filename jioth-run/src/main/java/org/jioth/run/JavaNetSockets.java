package org.jioth.run;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.spi.SelectorProvider;
import org.jioth.nio.ChannelDatagramSocketImpl;
import org.jioth.nio.ChannelServerSocketImpl;
import org.jioth.nio.ChannelSocketImpl;

/**
 * Sends {@code java.net.Socket}, {@code ServerSocket} and {@code DatagramSocket} of the whole JVM
 * through a stack, with the JDK's socket-implementation factories ({@code Socket.setSocketImplFactory},
 * {@code ServerSocket.setSocketFactory}, {@code DatagramSocket.setDatagramSocketImplFactory}: deprecated
 * since JDK 17 but present in JDK 25). They can be set once per JVM, before the program sets its own.
 * {@code MulticastSocket} joins are refused.
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
        DatagramSocket.setDatagramSocketImplFactory(() -> new ChannelDatagramSocketImpl(provider));
    }
}
