package org.jioth.bench;

import java.io.IOException;
import java.net.InetAddress;
import org.jioth.Ioth;
import org.jioth.IothStack;

/**
 * The client and server stacks of one row: the kernel stack talking to itself over 127.0.0.1, or
 * two stacks of one plug-in on one network, {@code vde0} up with 192.168.250.50/24 (client) and
 * .51/24 (server).
 */
final class StackPair implements AutoCloseable {
    static final InetAddress LOOPBACK = InetAddress.ofLiteral("127.0.0.1");
    static final InetAddress CLIENT = InetAddress.ofLiteral("192.168.250.50");
    static final InetAddress SERVER = InetAddress.ofLiteral("192.168.250.51");
    /** The IPv6 rows' addresses (a /64 on the same network), beside the IPv4 ones. */
    static final InetAddress CLIENT6 = InetAddress.ofLiteral("fd00:250::50");
    static final InetAddress SERVER6 = InetAddress.ofLiteral("fd00:250::51");

    final IothStack client;
    final IothStack server;
    final InetAddress serverAddress;

    private StackPair(IothStack client, IothStack server, InetAddress serverAddress) {
        this.client = client;
        this.server = server;
        this.serverAddress = serverAddress;
    }

    static StackPair kernelLoopback() throws IOException {
        IothStack k = Ioth.newStack(Ioth.KERNEL);
        return new StackPair(k, k, LOOPBACK);
    }

    /** Two stacks of {@code spec} ("name" or "name,options") on {@code vnl}, configured. */
    static StackPair onNetwork(String spec, String vnl) throws IOException {
        IothStack a = Ioth.newStack(spec, vnl);
        IothStack b = null;
        try {
            b = Ioth.newStack(spec, vnl);
            configure(a, CLIENT, 24);
            configure(b, SERVER, 24);
            return new StackPair(a, b, SERVER);
        } catch (IOException | RuntimeException e) {
            closeQuietly(b, e);
            closeQuietly(a, e);
            throw e;
        }
    }

    /** {@link #onNetwork} with IPv6 addresses added, the measurements going to the server's IPv6 one. */
    static StackPair onNetwork6(String spec, String vnl) throws IOException {
        StackPair p = onNetwork(spec, vnl);
        try {
            p.client.ipAddrAdd(CLIENT6, 64, p.client.ifNameToIndex("vde0"));
            p.server.ipAddrAdd(SERVER6, 64, p.server.ifNameToIndex("vde0"));
            return new StackPair(p.client, p.server, SERVER6);
        } catch (IOException | RuntimeException e) {
            try {
                p.close();
            } catch (IOException | RuntimeException c) {
                e.addSuppressed(c);
            }
            throw e;
        }
    }

    /** {@code vde0} up with {@code addr/prefix}. */
    static void configure(IothStack s, InetAddress addr, int prefix) throws IOException {
        int vde0 = s.ifNameToIndex("vde0");
        s.linkSetUpDown(vde0, true);
        s.ipAddrAdd(addr, prefix, vde0);
    }

    private static void closeQuietly(IothStack s, Exception into) {
        if (s != null) {
            try {
                s.closeForcibly();
            } catch (IOException | RuntimeException e) {
                into.addSuppressed(e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            client.closeForcibly();
        } finally {
            if (server != client) {
                server.closeForcibly();
            }
        }
    }
}
