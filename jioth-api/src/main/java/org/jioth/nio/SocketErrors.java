package org.jioth.nio;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Objects;
import org.jioth.Errno;

/**
 * What every plug-in's channels share for failures: the JDK's exception for the errno of a socket
 * call (as the JDK's own channels choose it), and the socket-address check of bind, connect and send.
 */
public final class SocketErrors {
    private SocketErrors() {
    }

    /**
     * The exception for {@code errno} from {@code call} (e.g. {@code "bind 10.0.0.1:80"}), with a
     * message {@code "call: description (ENAME)"}: ECONNREFUSED is a {@link ConnectException}, or on
     * a datagram socket a {@link PortUnreachableException}; ETIMEDOUT a ConnectException;
     * EHOSTUNREACH and ENETUNREACH a {@link NoRouteToHostException}; EADDRINUSE and EADDRNOTAVAIL a
     * {@link BindException}, as is EACCES from a bind; anything else a {@link SocketException}.
     */
    public static IOException of(String call, int errno, boolean datagram) {
        Errno e = Errno.of(errno);
        if (e == null) {
            return new SocketException(call + ": errno " + errno);
        }
        String text = call + ": " + e.description() + " (" + e.name() + ")";
        return switch (e) {
            case ECONNREFUSED -> datagram ? new PortUnreachableException(text) : new ConnectException(text);
            case ETIMEDOUT -> new ConnectException(text);
            case EHOSTUNREACH, ENETUNREACH -> new NoRouteToHostException(text);
            case EADDRINUSE, EADDRNOTAVAIL -> new BindException(text);
            case EACCES -> call.startsWith("bind") ? new BindException(text) : new SocketException(text);
            default -> new SocketException(text);
        };
    }

    /**
     * {@code sa} as a resolved {@link InetSocketAddress}.
     *
     * @throws NullPointerException             when it is null
     * @throws UnsupportedAddressTypeException when it is another kind of address
     * @throws UnresolvedAddressException      when it is unresolved
     */
    public static InetSocketAddress checkAddress(SocketAddress sa) {
        Objects.requireNonNull(sa, "address");
        if (!(sa instanceof InetSocketAddress isa)) {
            throw new UnsupportedAddressTypeException();
        }
        if (isa.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return isa;
    }
}
