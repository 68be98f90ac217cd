package org.jioth;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.spi.ToolProvider;

/**
 * Builds real plug-in jars for tests: compiles a provider whose state lives in a static field, the
 * way a singleton-minded stack is written, and packs it with its service file.
 */
final class PluginJars {
    private PluginJars() {
    }

    /**
     * A jar at {@code jar} providing plug-in {@code name}. Its stacks report, as statistic
     * "stacksMade", how many stacks the copy of the class that made them has made.
     */
    static Path build(Path work, Path jar, String name, boolean reentrant, String license) throws IOException {
        String pkg = "dyn." + name.replaceAll("[^A-Za-z0-9]", "_");
        String source = """
                package %s;
                import java.nio.channels.spi.SelectorProvider;
                import java.util.Map;
                import java.util.Optional;
                import org.jioth.spi.*;
                public final class StaticStateProvider implements StackProvider {
                    static long stacksMade;
                    public String name() { return "%s"; }
                    public boolean reentrant() { return %s; }
                    public Optional<String> license() { return Optional.ofNullable(%s); }
                    public String description() { return "test plug-in with static state"; }
                    public StackImpl newStack(StackRequest r) {
                        long n = ++stacksMade;
                        return new StackImpl() {
                            public SelectorProvider provider() { return SelectorProvider.provider(); }
                            public org.jioth.NetConfig config() { return new UnsupportedNetConfig("test"); }
                            public Map<String, Long> statistics() { return Map.of("stacksMade", stacksMade, "myNumber", n); }
                            public void close() { }
                        };
                    }
                }
                """.formatted(pkg, name, reentrant, license == null ? "null" : "\"" + license + "\"");
        Path src = work.resolve("src-" + name).resolve(pkg.replace('.', '/')).resolve("StaticStateProvider.java");
        Path classes = work.resolve("classes-" + name);
        Files.createDirectories(src.getParent());
        Files.createDirectories(classes);
        Files.writeString(src, source);
        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow();
        int rc = javac.run(System.out, System.err, "-d", classes.toString(),
                "-cp", System.getProperty("java.class.path"), src.toString());
        if (rc != 0) {
            throw new IOException("could not compile the test plug-in " + name);
        }
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            String pkgPath = pkg.replace('.', '/');
            try (var files = Files.list(classes.resolve(pkgPath))) {
                for (Path cls : files.toList()) {
                    out.putNextEntry(new JarEntry(pkgPath + "/" + cls.getFileName()));
                    out.write(Files.readAllBytes(cls));
                    out.closeEntry();
                }
            }
            out.putNextEntry(new JarEntry("META-INF/services/org.jioth.spi.StackProvider"));
            OutputStream o = out;
            o.write((pkg + ".StaticStateProvider\n").getBytes());
            out.closeEntry();
        }
        return jar;
    }

    static PluginLocator locator(Path... dirs) {
        return new PluginLocator(List.of(dirs), Ioth.class.getClassLoader());
    }
}
