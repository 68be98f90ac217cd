package org.jioth.linux.fdnio;

import static org.jioth.linux.fdnio.FdNative.*;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import java.util.function.Consumer;
import org.jioth.Errno;
import org.jioth.linux.ErrnoException;

/**
 * A {@link SelectorProvider} whose channels are raw socket descriptors obtained from a
 * {@link SocketFactory}: for example sockets created in another network namespace and passed over
 * SCM_RIGHTS. Socket, server socket and datagram channels plus an epoll {@link EpollSelector}.
 * Without a family the channels are IPv6 dual-stack sockets, as the JDK's (IPv4 when the namespace
 * has no IPv6). Pipes are not offered.
 */
public class FdSelectorProvider extends SelectorProvider {

    /** Makes the sockets: like socket(2), returning a new descriptor that is non-blocking. */
    @FunctionalInterface
    public interface SocketFactory {
        /**
         * @param type the socket type with SOCK_NONBLOCK|SOCK_CLOEXEC already or'ed in
         * @return the new descriptor, now owned by the caller
         */
        int socket(int domain, int type, int protocol) throws IOException;
    }

    /** socket(2) in this process's own network namespace. */
    public static final SocketFactory LOCAL = (domain, type, protocol) -> {
        int fd;
        try {
            fd = (int) SOCKET.invokeExact(state(), domain, type, protocol);
        } catch (Throwable t) {
            throw fatal(t);
        }
        if (fd < 0) {
            throw new ErrnoException("socket(" + domain + ", " + type + ", " + protocol + ")", errno());
        }
        return fd;
    };

    private final SocketFactory sockets;
    private final Consumer<? super Channel> opened;
    private volatile boolean noIpv6;

    /**
     * @param sockets where sockets come from
     * @param opened  told of every channel opened or accepted (for example a stack's socket registry)
     */
    public FdSelectorProvider(SocketFactory sockets, Consumer<? super Channel> opened) {
        this.sockets = Objects.requireNonNull(sockets, "sockets");
        this.opened = Objects.requireNonNull(opened, "opened");
    }

    /** Channels over {@link #LOCAL} sockets, tracked nowhere. */
    public static FdSelectorProvider local() {
        return new FdSelectorProvider(LOCAL, c -> { });
    }

    <C extends Channel> C opened(C channel) {
        opened.accept(channel);
        return channel;
    }

    private int family(ProtocolFamily family) {
        if (family == null) {
            return noIpv6 ? AF_INET : AF_INET6;
        }
        if (family == StandardProtocolFamily.INET) {
            return AF_INET;
        }
        if (family == StandardProtocolFamily.INET6) {
            return AF_INET6;
        }
        throw new UnsupportedOperationException("Protocol family not supported: " + family);
    }

    /** A descriptor of {@code family}, or of IPv4 when the default IPv6 is not available. */
    private int[] socket(ProtocolFamily requested, int type) throws IOException {
        int family = family(requested);
        try {
            return new int[] {sockets.socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), family};
        } catch (ErrnoException e) {
            if (requested == null && family == AF_INET6 && e.errno() == Errno.EAFNOSUPPORT.value()) {
                noIpv6 = true;
                return new int[] {sockets.socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), AF_INET};
            }
            if (e.errno() == Errno.EAFNOSUPPORT.value()) {
                throw new UnsupportedAddressTypeException();
            }
            throw e;
        }
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        return openSocketChannel(null);
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        int[] s = socket(family, SOCK_STREAM);
        return opened(new FdSocketChannel(this, s[0], s[1]));
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        return openServerSocketChannel(null);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        int[] s = socket(family, SOCK_STREAM);
        return opened(new FdServerSocketChannel(this, s[0], s[1]));
    }

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return openDatagramChannel(null);
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        int[] s = socket(family, SOCK_DGRAM);
        return opened(new FdDatagramChannel(this, s[0], s[1], 0));
    }

    /**
     * An ICMP echo ("ping") datagram channel: send an 8-byte echo request header plus payload to
     * {@code (host, 0)}; the kernel fills in the identifier and checksum and delivers the replies.
     * Needs the creator's group in the namespace's {@code net.ipv4.ping_group_range}.
     */
    public DatagramChannel openPingChannel(ProtocolFamily family) throws IOException {
        int f = family(Objects.requireNonNull(family, "family"));
        int fd = sockets.socket(f, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, f == AF_INET ? 1 : 58);
        return opened(new FdDatagramChannel(this, fd, f, f == AF_INET ? 1 : 58));
    }

    @Override
    public Pipe openPipe() {
        throw new UnsupportedOperationException("pipes are not sockets of a stack: use the JDK's Pipe.open()");
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        return new EpollSelector(this);
    }
}
