package org.jioth.spi;

import java.io.IOException;
import java.nio.channels.spi.SelectorProvider;
import java.util.Map;
import org.jioth.NetConfig;

/**
 * The plug-in's side of a stack. jioth wraps it in an {@link org.jioth.IothStack} that counts
 * sockets, refuses to close while any is open and owns the plug-in's class loader.
 */
public interface StackImpl {

    /** The provider whose channels and selectors live on this stack. */
    SelectorProvider provider();

    /** Netlink-style configuration of this stack. */
    NetConfig config();

    /** Counters in the spirit of {@code netstat -s}, by name; empty when the stack keeps none. */
    default Map<String, Long> statistics() {
        return Map.of();
    }

    /** Releases the stack (libioth's delstack). Called only when no socket of it is open. */
    void close() throws IOException;

    /** Whether the stack works; plug-ins whose machinery cannot fail by itself answer up. */
    default org.jioth.StackHealth health() {
        return org.jioth.StackHealth.UP;
    }

    /**
     * An optional feature of the stack ({@link org.jioth.IothStack#capability}); by default the
     * implementation itself when it implements {@code type}.
     */
    default <T> java.util.Optional<T> capability(Class<T> type) {
        return type.isInstance(this) ? java.util.Optional.of(type.cast(this)) : java.util.Optional.empty();
    }
}
