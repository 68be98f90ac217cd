package org.jioth.linux.fdnio;

import java.io.IOException;
import org.jioth.nio.SocketErrors;

/** errno of a socket call as the JDK's exception for it ({@link SocketErrors}); calls named "datagram ..." are a datagram socket's. */
final class Errors {
    private Errors() {
    }

    static IOException of(String call, int errno) {
        return SocketErrors.of(call, errno, call.startsWith("datagram"));
    }
}
