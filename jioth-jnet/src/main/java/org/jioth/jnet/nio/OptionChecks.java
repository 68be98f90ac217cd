package org.jioth.jnet.nio;

import java.net.SocketOption;
import java.util.Set;

/** The checks every jnet channel makes before it sets or reads an option, with the JDK channels' exceptions. */
final class OptionChecks {
    private OptionChecks() {
    }

    /** {@code name} must be one of {@code supported}; {@code channels} names the kind, e.g. "socket channels". */
    static void supported(Set<SocketOption<?>> supported, SocketOption<?> name, String channels) {
        if (!supported.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported by jnet " + channels);
        }
    }

    /** {@code value} must be a non-null value of {@code name}'s type. */
    static void value(SocketOption<?> name, Object value) {
        if (value == null || !name.type().isInstance(value)) {
            throw new IllegalArgumentException("bad value for " + name + ": " + value);
        }
    }
}
