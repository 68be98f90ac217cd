package org.jioth.linux.fdnio;

import static org.jioth.linux.fdnio.FdNative.*;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Map;
import java.util.Set;

/** The standard socket options the descriptor channels support, as setsockopt levels and names. */
final class SocketOptionTable {
    private record Native(int level, int name) {
    }

    private static final Map<SocketOption<?>, Native> STREAM = Map.of(
            StandardSocketOptions.SO_RCVBUF, new Native(SOL_SOCKET, SO_RCVBUF),
            StandardSocketOptions.SO_SNDBUF, new Native(SOL_SOCKET, SO_SNDBUF),
            StandardSocketOptions.SO_REUSEADDR, new Native(SOL_SOCKET, SO_REUSEADDR),
            StandardSocketOptions.SO_REUSEPORT, new Native(SOL_SOCKET, SO_REUSEPORT),
            StandardSocketOptions.SO_KEEPALIVE, new Native(SOL_SOCKET, SO_KEEPALIVE),
            StandardSocketOptions.SO_LINGER, new Native(SOL_SOCKET, SO_LINGER),
            StandardSocketOptions.TCP_NODELAY, new Native(IPPROTO_TCP, TCP_NODELAY),
            StandardSocketOptions.IP_TOS, new Native(IPPROTO_IP, IP_TOS));
    private static final Map<SocketOption<?>, Native> SERVER = Map.of(
            StandardSocketOptions.SO_RCVBUF, new Native(SOL_SOCKET, SO_RCVBUF),
            StandardSocketOptions.SO_REUSEADDR, new Native(SOL_SOCKET, SO_REUSEADDR),
            StandardSocketOptions.SO_REUSEPORT, new Native(SOL_SOCKET, SO_REUSEPORT));
    private static final Map<SocketOption<?>, Native> DATAGRAM = Map.of(
            StandardSocketOptions.SO_RCVBUF, new Native(SOL_SOCKET, SO_RCVBUF),
            StandardSocketOptions.SO_SNDBUF, new Native(SOL_SOCKET, SO_SNDBUF),
            StandardSocketOptions.SO_REUSEADDR, new Native(SOL_SOCKET, SO_REUSEADDR),
            StandardSocketOptions.SO_REUSEPORT, new Native(SOL_SOCKET, SO_REUSEPORT),
            StandardSocketOptions.SO_BROADCAST, new Native(SOL_SOCKET, SO_BROADCAST),
            StandardSocketOptions.IP_TOS, new Native(IPPROTO_IP, IP_TOS));

    static final SocketOptionTable STREAM_OPTIONS = new SocketOptionTable(STREAM);
    static final SocketOptionTable SERVER_OPTIONS = new SocketOptionTable(SERVER);
    static final SocketOptionTable DATAGRAM_OPTIONS = new SocketOptionTable(DATAGRAM);

    private final Map<SocketOption<?>, Native> options;

    private SocketOptionTable(Map<SocketOption<?>, Native> options) {
        this.options = options;
    }

    Set<SocketOption<?>> names() {
        return options.keySet();
    }

    private Native lookup(SocketOption<?> name) {
        if (name == null) {
            throw new NullPointerException("name");
        }
        Native n = options.get(name);
        if (n == null) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        return n;
    }

    <T> void set(NativeFd fd, SocketOption<T> name, T value) throws IOException {
        Native n = lookup(name);
        if (value == null && name != StandardSocketOptions.SO_LINGER) {
            throw new IllegalArgumentException("Invalid value 'null'");
        }
        if (name == StandardSocketOptions.IP_TOS && fd.family == AF_INET6) {
            int tos = (Integer) value;
            if (tos < 0 || tos > 255) {
                throw new IllegalArgumentException("Invalid IP_TOS value");
            }
            fd.setIntOption(IPPROTO_IPV6, IPV6_TCLASS, tos);
            return;
        }
        if (name == StandardSocketOptions.SO_LINGER) {
            int secs = value == null ? -1 : (Integer) value;
            fd.setOption(n.level, n.name, secs < 0 ? new int[] {0, 0} : new int[] {1, Math.min(secs, 65535)});
        } else if (value instanceof Boolean b) {
            fd.setIntOption(n.level, n.name, b ? 1 : 0);
        } else {
            int v = (Integer) value;
            if ((name == StandardSocketOptions.SO_RCVBUF || name == StandardSocketOptions.SO_SNDBUF) && v <= 0) {
                throw new IllegalArgumentException("Invalid send/receive buffer size");
            }
            if (name == StandardSocketOptions.IP_TOS && (v < 0 || v > 255)) {
                throw new IllegalArgumentException("Invalid IP_TOS value");
            }
            fd.setIntOption(n.level, n.name, v);
        }
    }

    @SuppressWarnings("unchecked")
    <T> T get(NativeFd fd, SocketOption<T> name) throws IOException {
        Native n = lookup(name);
        if (name == StandardSocketOptions.SO_LINGER) {
            int[] l = fd.getIntsOption(n.level, n.name, 2);
            return (T) Integer.valueOf(l[0] == 0 ? -1 : l[1]);
        }
        if (name == StandardSocketOptions.IP_TOS && fd.family == AF_INET6) {
            return (T) Integer.valueOf(fd.getIntOption(IPPROTO_IPV6, IPV6_TCLASS));
        }
        int v = fd.getIntOption(n.level, n.name);
        if (name.type() == Boolean.class) {
            return (T) Boolean.valueOf(v != 0);
        }
        return (T) Integer.valueOf(v);
    }
}
