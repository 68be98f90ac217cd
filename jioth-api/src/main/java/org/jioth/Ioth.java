package org.jioth;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.NetworkChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jioth.spi.SocketRegistry;
import org.jioth.spi.StackImpl;
import org.jioth.spi.StackProvider;
import org.jioth.spi.StackRequest;

/**
 * The entry point of jioth: make stacks, open sockets on them, choose the default stack.
 *
 * <pre>{@code
 * try (IothStack stack = Ioth.newStack("jnet", "vde:///tmp/sw")) {
 *     int vde0 = stack.ifNameToIndex("vde0");
 *     stack.linkSetUpDown(vde0, true);
 *     ...
 *     SocketChannel ch = Ioth.msocket(stack, StandardProtocolFamily.INET, SocketType.STREAM);
 * }
 * }</pre>
 */
public final class Ioth {
    private static final System.Logger LOG = System.getLogger(Ioth.class.getName());
    /** The plug-in the null or empty stack name and the initial default stack stand for. */
    public static final String KERNEL = "kernel";

    private static volatile String license;
    private static volatile IothStack chosenDefault;
    private static volatile IothStack builtInDefault;

    private Ioth() {
    }

    /**
     * Creates a stack of plug-in {@code stack} with one interface per VNL (none when no VNL is
     * given). {@code stack} is {@code "name"} or {@code "name,options"}: everything after the first
     * comma goes to the plug-in verbatim. A null or empty name means the kernel stack.
     *
     * @throws NoSuchStackException when no plug-in answers to the name; its message lists the
     *                              plug-ins found and where they were looked for
     * @throws LicenseException     when the plug-in's licence does not allow this program's
     */
    public static IothStack newStack(String stack, String... vnls) throws IOException {
        return newStack(stack, Arrays.asList(vnls));
    }

    /** As {@link #newStack(String, String...)}, with the VNLs as a list. */
    public static IothStack newStack(String stack, List<String> vnls) throws IOException {
        Objects.requireNonNull(vnls, "vnls");
        for (String v : vnls) {
            Objects.requireNonNull(v, "a VNL is null");
        }
        String spec = stack == null ? "" : stack;
        int comma = spec.indexOf(',');
        String name = comma < 0 ? spec.strip() : spec.substring(0, comma).strip();
        String options = comma < 0 ? "" : spec.substring(comma + 1);
        if (name.isEmpty()) {
            name = KERNEL;
        }
        return create(PluginLocator.fromEnvironment(), name, options, vnls);
    }

    /**
     * libioth's {@code ioth_newstackc}: {@code "stack=jnet,vnl=vde:///tmp/sw,eth,ip=10.0.0.1/24"} makes
     * the stack (no {@code stack=}: the kernel; no {@code vnl=}: no interface) and applies the rest
     * as an iothconf string. The stack is closed again when the configuration fails.
     */
    public static IothStack newStackConf(String stackConfig) throws IOException {
        org.jioth.conf.IothConf conf = org.jioth.conf.IothConf.parseStackConfig(stackConfig);
        return configured(newStack(conf.stack(), conf.vnl() == null ? List.of() : List.of(conf.vnl())), conf);
    }

    /**
     * {@link #newStack(String, List)} followed by {@link IothStack#configure(String) configure(conf)}; the
     * stack is closed again when the configuration fails.
     */
    public static IothStack newStackConf(String stack, List<String> vnls, String conf) throws IOException {
        org.jioth.conf.IothConf parsed = org.jioth.conf.IothConf.parse(conf);
        return configured(newStack(stack, vnls), parsed);
    }

    private static IothStack configured(IothStack stack, org.jioth.conf.IothConf conf) throws IOException {
        try {
            conf.apply(stack);
            return stack;
        } catch (IOException | RuntimeException e) {
            try {
                stack.closeForcibly();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** A stack with no virtual interface. */
    public static IothStack newStack(String stack) throws IOException {
        return newStack(stack, List.of());
    }

    static IothStack create(PluginLocator locator, String name, String options, List<String> vnls) throws IOException {
        PluginLocator.Loaded plugin;
        try {
            plugin = locator.load(name);
        } catch (NoSuchStackException e) {
            if (name.equals(KERNEL)) {
                return builtIn(options, vnls, false);
            }
            throw e;
        }
        StackProvider provider = plugin.provider();
        String pluginLicense = provider.license().orElse(null);
        if (!Licenses.allowed(license, pluginLicense)) {
            plugin.release();
            throw new LicenseException("plug-in " + name + " is licensed " + pluginLicense
                    + ", which a program licensed " + (license == null ? "(unset: call Ioth.setLicense)" : license)
                    + " may not load (EPERM)");
        }
        SocketRegistry sockets = new SocketRegistry();
        StackImpl impl;
        ClassLoader caller = Thread.currentThread().getContextClassLoader();
        try {
            // A plug-in in a private loader finds its own resources through the context loader.
            Thread.currentThread().setContextClassLoader(provider.getClass().getClassLoader());
            impl = provider.newStack(new StackRequest(name, options, vnls, sockets));
        } catch (IOException | RuntimeException e) {
            plugin.release();
            throw e;
        } finally {
            Thread.currentThread().setContextClassLoader(caller);
        }
        if (impl == null) {
            plugin.release();
            throw new IOException("plug-in " + name + " (" + plugin.origin() + ") returned no stack");
        }
        LOG.log(System.Logger.Level.DEBUG, "new stack {0} from {1}", name, plugin.origin());
        return new ManagedStack(name, options, vnls, impl, sockets, plugin, false);
    }

    private static IothStack builtIn(String options, List<String> vnls, boolean permanent) {
        SocketRegistry sockets = new SocketRegistry();
        return new ManagedStack(KERNEL, options, vnls, new NativeStack(sockets), sockets,
                new PluginLocator.Loaded(null, "built in", null), permanent);
    }

    /**
     * Opens a socket on {@code stack} (null: the default stack), as libioth's msocket: the
     * channel type follows from {@code type}.
     */
    public static <C extends NetworkChannel> C msocket(IothStack stack, ProtocolFamily family, SocketType<C> type)
            throws IOException {
        IothStack s = stack == null ? defaultStack() : stack;
        SelectorProvider p = s.provider();
        NetworkChannel ch;
        if (type == SocketType.STREAM) {
            ch = p.openSocketChannel(family);
        } else if (type == SocketType.STREAM_LISTENER) {
            ch = p.openServerSocketChannel(family);
        } else {
            ch = p.openDatagramChannel(family);
        }
        if (s instanceof ManagedStack m) {
            m.sockets().track(ch);
        }
        return type.channelClass().cast(ch);
    }

    /** A socket on the default stack ({@code msocket(null, family, type)}). */
    public static <C extends NetworkChannel> C socket(ProtocolFamily family, SocketType<C> type) throws IOException {
        return msocket(null, family, type);
    }

    /**
     * The default stack: the one last given to {@link #setDefaultStack}, else the kernel stack
     * (the kernel plug-in when it is present, else the JDK's own sockets). The initial default is
     * never closed: its {@code close()} does nothing.
     */
    public static IothStack defaultStack() {
        IothStack s = chosenDefault;
        return s != null ? s : initialDefault();
    }

    /** Makes {@code stack} the default; null restores the initial kernel default. */
    public static void setDefaultStack(IothStack stack) {
        chosenDefault = stack;
    }

    private static IothStack initialDefault() {
        IothStack s = builtInDefault;
        if (s == null) {
            synchronized (Ioth.class) {
                s = builtInDefault;
                if (s == null) {
                    s = permanentKernel();
                    builtInDefault = s;
                }
            }
        }
        return s;
    }

    private static IothStack permanentKernel() {
        try {
            PluginLocator.Loaded plugin = PluginLocator.fromEnvironment().load(KERNEL);
            SocketRegistry sockets = new SocketRegistry();
            StackImpl impl = plugin.provider().newStack(new StackRequest(KERNEL, "", List.of(), sockets));
            return new ManagedStack(KERNEL, "", List.of(), impl, sockets, plugin, true);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "no kernel plug-in, using the JDK's sockets: {0}", e.toString());
            return builtIn("", List.of(), true);
        }
    }

    /**
     * Records the program's SPDX licence (a leading {@code "SPDX-License-Identifier: "} is
     * optional), checked against each plug-in's licence as libioth does.
     */
    public static void setLicense(String spdx) {
        license = Licenses.normalize(spdx);
    }

    /** The program's licence as last set, or null. */
    public static String license() {
        return license;
    }

    /** The plug-ins visible now, in the order they would be chosen. */
    public static List<PluginInfo> plugins() {
        return PluginLocator.fromEnvironment().all();
    }

    /** The plug-in directories searched, in order. */
    public static List<java.nio.file.Path> pluginDirectories() {
        return PluginLocator.fromEnvironment().directories();
    }
}
