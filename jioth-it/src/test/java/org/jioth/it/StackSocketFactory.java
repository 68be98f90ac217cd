package org.jioth.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.SocketFactory;
import org.jioth.IothStack;

/**
 * A {@link SocketFactory} that libraries instantiate by class name (PgJDBC's {@code socketFactory}
 * with {@code socketFactoryArg}, and the like): the String argument names a stack the program
 * registered before. Every socket it makes is {@code stack.socketFactory()}'s.
 */
public final class StackSocketFactory extends SocketFactory {
    private static final Map<String, IothStack> STACKS = new ConcurrentHashMap<>();

    private final SocketFactory sockets;

    /** Makes {@code stack} reachable as {@code name} for factories built from now on. */
    public static void register(String name, IothStack stack) {
        STACKS.put(name, stack);
    }

    public static void unregister(String name) {
        STACKS.remove(name);
    }

    /** The factory of the stack registered as {@code name}. */
    public StackSocketFactory(String name) {
        IothStack stack = STACKS.get(name);
        if (stack == null) {
            throw new IllegalArgumentException("no stack registered as \"" + name + "\" (registered: " + STACKS.keySet() + ")");
        }
        this.sockets = stack.socketFactory();
    }

    @Override
    public Socket createSocket() throws IOException {
        return sockets.createSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return sockets.createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return sockets.createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return sockets.createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return sockets.createSocket(address, port, localAddress, localPort);
    }
}
