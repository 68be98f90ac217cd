package org.jioth;

import java.io.IOException;
import java.nio.channels.spi.SelectorProvider;
import java.util.List;
import java.util.Map;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;

/**
 * A TCP/IP stack made by a plug-in ({@link Ioth#newStack}): its sockets are the JDK's own channel
 * types, opened from {@link #provider()}, and it is configured netlink-style through the
 * {@link NetConfig} methods.
 *
 * <p>{@link #close()} is libioth's delstack: while any socket of the stack is open it throws
 * {@link StackBusyException} (EBUSY) and the stack stays usable; {@link #closeForcibly()} closes
 * the sockets first.
 */
public interface IothStack extends NetConfig, AutoCloseable {

    /** The plug-in name the stack was asked for, e.g. {@code "jnet"}. */
    String name();

    /** The options string given after the first comma ({@code ""} when none). */
    String options();

    /** The VNLs the stack's interfaces were attached to, in order. */
    List<String> vnls();

    /**
     * The stack's channel factory: {@code provider().openSocketChannel()},
     * {@code openServerSocketChannel()}, {@code openDatagramChannel()}, {@code openSelector()}.
     */
    SelectorProvider provider();

    /** {@code java.net.Socket}s on this stack. */
    SocketFactory socketFactory();

    /** {@code java.net.ServerSocket}s on this stack. */
    ServerSocketFactory serverSocketFactory();

    /** Counters in the spirit of {@code netstat -s}; empty when the plug-in keeps none. */
    Map<String, Long> statistics();

    /** How many sockets of this stack are open now. */
    int openSockets();

    /** True once the stack was closed. */
    boolean isClosed();

    /**
     * Whether the stack is alive: up, failed (with why: its sockets then fail with an IOException
     * naming it) or closed, and which links are down.
     */
    default StackHealth health() {
        return isClosed() ? StackHealth.CLOSED : StackHealth.UP;
    }

    /**
     * Deletes the stack. Refuses with {@link StackBusyException} (and keeps the stack usable)
     * while any socket of it is open. Closing a closed stack does nothing.
     */
    @Override
    void close() throws IOException;

    /** Closes every open socket of the stack, then the stack. */
    void closeForcibly() throws IOException;

    /**
     * Applies an iothconf string (see {@link org.jioth.conf.IothConf}), e.g.
     * {@code "eth,ip=192.168.250.50/24,gw=192.168.250.1"} or {@code "eth,dhcp,dhcp6,rd,slaac"}:
     * libioth's {@code ioth_config}.
     *
     * @throws IllegalArgumentException when the string does not parse (the message names the bad part)
     * @throws NetConfigException       ENODEV when the interface is missing, or the stack's refusal
     */
    default org.jioth.conf.IothConf.Result configure(String config) throws NetConfigException {
        return org.jioth.conf.IothConf.parse(config).apply(this);
    }

    /**
     * An optional feature of this stack's plug-in, e.g. {@link org.jioth.conf.RouterDiscovery} when
     * the stack does IPv6 router discovery and SLAAC itself, or a {@link java.util.random.RandomGenerator}
     * of its own (a new one per call, derived from the stack's random source, for protocol jitter run
     * outside the stack); empty when it has none.
     */
    default <T> java.util.Optional<T> capability(Class<T> type) {
        return java.util.Optional.empty();
    }

    /**
     * The stack's DNS stub resolver: it asks its servers over this stack's own channels (never the
     * host's network). Fed by {@link #configure} ({@code dns=}, {@code domain=}) or set by hand.
     */
    default org.jioth.dns.DnsResolver resolver() {
        return org.jioth.dns.StackResolvers.of(this);
    }
}
