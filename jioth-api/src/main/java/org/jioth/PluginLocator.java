package org.jioth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import org.jioth.spi.StackProvider;

/**
 * Finds stack plug-ins the way libioth does, with jars in place of shared objects. For a name N,
 * in order, the first that exists wins:
 * <ol>
 *   <li>for each plug-in directory ({@code ~/.ioth/}, then each of {@code $IOTH_PLUGIN_PATH} and of
 *       the system property {@code ioth.plugin.path}): {@code ioth_N-r.jar} (reentrant: one class
 *       loader shared by all its stacks), then {@code ioth_N.jar} (a fresh class loader per stack);</li>
 *   <li>the class or module path ({@link ServiceLoader}), by name or alias.</li>
 * </ol>
 * A provider that says it is not {@link StackProvider#reentrant() reentrant} is isolated wherever it
 * was found; asking for {@code N_n} loads plug-in N isolated even when it is reentrant (libioth's
 * {@code _n} aliases).
 */
final class PluginLocator {
    private static final String SERVICE_FILE = "META-INF/services/" + StackProvider.class.getName();
    /** One loader per reentrant jar, for the life of the JVM (libioth keeps them loaded too). */
    private static final Map<Path, URLClassLoader> SHARED_LOADERS = new ConcurrentHashMap<>();

    private final List<Path> directories;
    private final ClassLoader parent;

    PluginLocator(List<Path> directories, ClassLoader parent) {
        this.directories = List.copyOf(directories);
        this.parent = parent;
    }

    /** The directories of the environment: {@code ~/.ioth}, {@code $IOTH_PLUGIN_PATH}, {@code -Dioth.plugin.path}. */
    static PluginLocator fromEnvironment() {
        List<Path> dirs = new ArrayList<>();
        String home = System.getProperty("user.home", ".");
        dirs.add(Path.of(home, ".ioth"));
        addPath(dirs, System.getenv("IOTH_PLUGIN_PATH"));
        addPath(dirs, System.getProperty("ioth.plugin.path"));
        return new PluginLocator(dirs, Ioth.class.getClassLoader());
    }

    private static void addPath(List<Path> dirs, String path) {
        if (path == null) {
            return;
        }
        for (String p : path.split(":")) {
            if (!p.isBlank()) {
                dirs.add(Path.of(p));
            }
        }
    }

    List<Path> directories() {
        return directories;
    }

    /** A plug-in ready to make stacks: its provider and the loader that must live as long as the stack. */
    record Loaded(StackProvider provider, String origin, URLClassLoader privateLoader) {
        void release() {
            if (privateLoader != null) {
                try {
                    privateLoader.close();
                } catch (IOException ignored) {
                    // Only open jar files are released here; nothing to report to the caller.
                }
            }
        }
    }

    /** Loads plug-in {@code name} for one new stack. */
    Loaded load(String name) throws NoSuchStackException {
        Loaded found = find(name, false);
        if (found == null && name.endsWith("_n") && name.length() > 2) {
            found = find(name.substring(0, name.length() - 2), true);
        }
        if (found == null) {
            throw new NoSuchStackException(name, describeMissing(name));
        }
        return found;
    }

    private Loaded find(String name, boolean forceIsolation) {
        for (Path dir : directories) {
            Path shared = dir.resolve("ioth_" + name + "-r.jar");
            if (Files.isRegularFile(shared)) {
                return fromJar(name, shared, forceIsolation);
            }
            Path isolated = dir.resolve("ioth_" + name + ".jar");
            if (Files.isRegularFile(isolated)) {
                return fromJar(name, isolated, true);
            }
        }
        for (StackProvider p : classPathProviders()) {
            if (answersTo(p, name)) {
                boolean isolate = forceIsolation || !p.reentrant();
                return isolate ? isolateClassPathProvider(name, p) : new Loaded(p, "class path", null);
            }
        }
        return null;
    }

    private Loaded fromJar(String name, Path jar, boolean isolate) {
        URL url = toUrl(jar);
        URLClassLoader loader = isolate
                ? new IsolatingClassLoader("ioth-" + name, new URL[] {url}, parent)
                : SHARED_LOADERS.computeIfAbsent(jar.toAbsolutePath(),
                        j -> new URLClassLoader("ioth-" + name + "-r", new URL[] {url}, parent));
        StackProvider p = ownProvider(loader, name, jar);
        if (!isolate && !p.reentrant()) {
            // The file said reentrant but the plug-in asks for isolation: the plug-in knows best.
            return fromJar(name, jar, true);
        }
        return new Loaded(p, jar.toString(), isolate ? loader : null);
    }

    /** The provider that {@code loader} itself defines and that answers to {@code name}. */
    private static StackProvider ownProvider(ClassLoader loader, String name, Path jar) {
        List<StackProvider> own = definedBy(loader);
        for (StackProvider p : own) {
            if (answersTo(p, name)) {
                return p;
            }
        }
        if (own.size() == 1) {
            return own.getFirst();
        }
        throw new ServiceConfigurationError("plug-in jar " + jar + " should provide " + StackProvider.class.getName()
                + " named '" + name + "' in " + SERVICE_FILE + "; it provides "
                + own.stream().map(StackProvider::name).toList());
    }

    private static List<StackProvider> definedBy(ClassLoader loader) {
        List<StackProvider> own = new ArrayList<>();
        for (ServiceLoader.Provider<StackProvider> sp : ServiceLoader.load(StackProvider.class, loader).stream().toList()) {
            if (sp.type().getClassLoader() == loader) {
                own.add(sp.get());
            }
        }
        return own;
    }

    /** A fresh child-first loader over the provider's own jar or class directory. */
    private Loaded isolateClassPathProvider(String name, StackProvider p) {
        CodeSource cs = p.getClass().getProtectionDomain().getCodeSource();
        if (cs == null || cs.getLocation() == null) {
            throw new ServiceConfigurationError("plug-in " + name + " asks for a class loader per stack, but "
                    + p.getClass().getName() + " has no code source to load it from again");
        }
        IsolatingClassLoader loader = new IsolatingClassLoader("ioth-" + name, new URL[] {cs.getLocation()}, parent);
        StackProvider fresh = null;
        for (StackProvider candidate : definedBy(loader)) {
            if (candidate.getClass().getName().equals(p.getClass().getName())) {
                fresh = candidate;
            }
        }
        if (fresh == null) {
            throw new ServiceConfigurationError("plug-in " + name + " could not be loaded again from "
                    + cs.getLocation() + " for a private class loader");
        }
        return new Loaded(fresh, "class path (" + cs.getLocation() + "), private class loader", loader);
    }

    private List<StackProvider> classPathProviders() {
        List<StackProvider> list = new ArrayList<>();
        ServiceLoader.load(StackProvider.class, parent).forEach(list::add);
        return list;
    }

    private static boolean answersTo(StackProvider p, String name) {
        return p.name().equals(name) || p.aliases().contains(name);
    }

    /** Every plug-in visible now, directories first, without making a stack. */
    List<PluginInfo> all() {
        Map<String, PluginInfo> found = new LinkedHashMap<>();
        for (Path dir : directories) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "ioth_*.jar")) {
                for (Path jar : jars) {
                    String file = jar.getFileName().toString();
                    boolean reentrantFile = file.endsWith("-r.jar");
                    try (URLClassLoader probe = new URLClassLoader(new URL[] {toUrl(jar)}, parent)) {
                        for (StackProvider p : definedBy(probe)) {
                            found.putIfAbsent(p.name(), info(p, reentrantFile && p.reentrant(), jar.toString()));
                        }
                    } catch (IOException | ServiceConfigurationError e) {
                        found.putIfAbsent(file, new PluginInfo(file, List.of(), Optional.empty(), false,
                                jar.toString(), "cannot be loaded: " + e.getMessage()));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list plug-in directory " + dir, e);
            }
        }
        for (StackProvider p : classPathProviders()) {
            found.putIfAbsent(p.name(), info(p, p.reentrant(), "class path"));
        }
        return List.copyOf(found.values());
    }

    private static PluginInfo info(StackProvider p, boolean reentrant, String origin) {
        return new PluginInfo(p.name(), p.aliases(), p.license(), reentrant, origin, p.description());
    }

    private String describeMissing(String name) {
        StringBuilder sb = new StringBuilder("no jioth stack plug-in named '").append(name).append("'. Found: ");
        List<PluginInfo> all = all();
        if (all.isEmpty()) {
            sb.append("none");
        } else {
            for (int i = 0; i < all.size(); i++) {
                PluginInfo p = all.get(i);
                sb.append(i == 0 ? "" : ", ").append(p.name()).append(" (").append(p.origin()).append(')');
            }
        }
        sb.append(". Looked for ioth_").append(name).append("-r.jar and ioth_").append(name).append(".jar in ");
        for (int i = 0; i < directories.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(directories.get(i));
        }
        sb.append(", then on the class path (ServiceLoader of ").append(StackProvider.class.getName()).append(").");
        return sb.toString();
    }

    private static URL toUrl(Path p) {
        try {
            return p.toAbsolutePath().toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("bad plug-in path " + p, e);
        }
    }
}
