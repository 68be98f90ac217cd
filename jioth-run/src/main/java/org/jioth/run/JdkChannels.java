package org.jioth.run;

import java.lang.reflect.InvocationTargetException;
import java.nio.channels.spi.SelectorProvider;

/**
 * The JDK's own NIO provider, which {@code SelectorProvider.provider()} no longer returns once the
 * JVM-wide provider is installed. The JDK has no public way to it, so this reads
 * {@code sun.nio.ch.DefaultSelectorProvider}, which needs
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} (ioth run passes it).
 */
final class JdkChannels {
    private static volatile SelectorProvider provider;

    private JdkChannels() {
    }

    static SelectorProvider provider() {
        SelectorProvider p = provider;
        if (p == null) {
            p = load();
            provider = p;
        }
        return p;
    }

    private static SelectorProvider load() {
        try {
            Class<?> c = Class.forName("sun.nio.ch.DefaultSelectorProvider");
            return (SelectorProvider) c.getMethod("get").invoke(null);
        } catch (IllegalAccessException | IllegalAccessError e) {
            throw new IllegalStateException("the stack needs the JDK's own channels (the kernel plug-in, or a udp://,"
                    + " vxvde:// or vxlan:// VNL): run java with --add-exports java.base/sun.nio.ch=ALL-UNNAMED", e);
        } catch (ClassNotFoundException | NoSuchMethodException | InvocationTargetException e) {
            throw new IllegalStateException("this JDK has no sun.nio.ch.DefaultSelectorProvider.get(): " + e, e);
        }
    }
}
