package org.jioth.linux.fdnio;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import org.jioth.Errno;

/** errno of a socket call as the JDK's exception for it, with the call named in the message. */
final class Errors {
    private Errors() {
    }

    static IOException of(String call, int errno) {
        Errno e = Errno.of(errno);
        String text = (e == null ? "errno " + errno : e.description()) + " (" + call + ", " + Errno.nameOf(errno) + ")";
        if (e == null) {
            return new SocketException(text);
        }
        if (e == Errno.ECONNREFUSED && call.startsWith("datagram")) {
            return new java.net.PortUnreachableException(text);
        }
        return switch (e) {
            case ECONNREFUSED, ETIMEDOUT -> new ConnectException(text);
            case EADDRINUSE, EADDRNOTAVAIL, EACCES -> call.startsWith("bind") ? new BindException(text) : new SocketException(text);
            case EHOSTUNREACH, ENETUNREACH -> new NoRouteToHostException(text);
            default -> new SocketException(text);
        };
    }
}
