package org.jioth.run;

import java.io.IOException;
import org.jioth.Ioth;
import org.jioth.IothStack;

/**
 * The one stack of this JVM, made on first use from the system properties of {@link RunSettings}
 * ({@code ioth.stack}, {@code ioth.vnl}, {@code ioth.conf}) and made the default stack
 * ({@link Ioth#defaultStack()}). It lives as long as the JVM.
 */
public final class JvmStack {
    private static final Object LOCK = new Object();
    private static volatile IothStack stack;
    private static RuntimeException failure;

    private JvmStack() {
    }

    /** True when {@code -Dioth.stack} is set. */
    public static boolean isConfigured() {
        return RunSettings.configured(System.getProperties());
    }

    /** The settings read from the system properties. */
    public static RunSettings settings() {
        return RunSettings.from(System.getProperties());
    }

    /**
     * The JVM-wide stack, made on the first call.
     *
     * @throws IllegalStateException when the properties are missing or bad, or the stack cannot be
     *                               made or configured (the message says why; later calls repeat it)
     */
    public static IothStack get() {
        IothStack s = stack;
        if (s != null) {
            return s;
        }
        synchronized (LOCK) {
            if (stack == null) {
                if (failure != null) {
                    throw new IllegalStateException(failure.getMessage(), failure);
                }
                try {
                    stack = build(RunSettings.from(System.getProperties()));
                } catch (IOException | RuntimeException e) {
                    failure = new IllegalStateException("cannot make the JVM-wide stack (" + describe() + "): "
                            + e.getMessage(), e);
                    throw failure;
                }
            }
            return stack;
        }
    }

    private static String describe() {
        try {
            return settings().toString();
        } catch (IllegalArgumentException e) {
            return "bad properties";
        }
    }

    private static IothStack build(RunSettings settings) throws IOException {
        Reentry.enter(); // channels the stack itself opens while it is built come from the JDK
        try {
            IothStack s = Ioth.newStack(settings.stack(), settings.vnls());
            try {
                if (!settings.conf().isEmpty()) {
                    s.configure(settings.conf());
                }
            } catch (IOException | RuntimeException e) {
                try {
                    s.closeForcibly();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            Ioth.setDefaultStack(s);
            return s;
        } finally {
            Reentry.exit();
        }
    }
}
