package org.jioth.dns;

import java.lang.ref.WeakReference;
import java.nio.channels.spi.SelectorProvider;
import java.util.Map;
import java.util.WeakHashMap;
import org.jioth.IothStack;

/** The one resolver of each stack ({@link IothStack#resolver()}), made on first use. */
public final class StackResolvers {
    private static final Map<IothStack, DnsResolver> RESOLVERS = new WeakHashMap<>();

    private StackResolvers() {
    }

    /** The resolver of {@code stack}, asking over the stack's own channels. */
    public static synchronized DnsResolver of(IothStack stack) {
        return RESOLVERS.computeIfAbsent(stack, s -> {
            // Weak: the map's value must not keep its key (the stack) alive.
            WeakReference<IothStack> ref = new WeakReference<>(s);
            return DnsResolver.builder(new ChannelDnsTransport(() -> provider(ref))).build();
        });
    }

    private static SelectorProvider provider(WeakReference<IothStack> ref) {
        IothStack s = ref.get();
        if (s == null || s.isClosed()) {
            throw new IllegalStateException("the stack of this resolver is closed");
        }
        return s.provider();
    }
}
