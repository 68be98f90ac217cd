package org.jioth.run;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Builds the command line of a JVM that runs an unmodified program on the JVM-wide stack: the same
 * JDK, the {@code ioth.*} properties, the NIO provider, native access, {@code jdk.net} resolved in
 * every launch mode, the JDK channels the stack itself needs, and the agent (a manifest-only jar whose
 * {@code Class-Path} names the jioth code, so {@code -cp}, {@code -jar} and {@code -m} programs all
 * see it).
 */
public final class Launcher {
    /** Classes whose code sources make up jioth's run-time class path (those not present are skipped). */
    private static final List<String> MARKERS = List.of("org.jioth.Ioth", "org.jioth.run.JvmStack",
            "org.jioth.linux.NativeSupport", "org.jioth.vde.EthernetPorts", "org.jioth.jnet.JnetProvider",
            "org.jioth.kernel.KernelProvider", "org.jioth.vdestack.VdestackProvider");

    private Launcher() {
    }

    /** The java executable of this JVM. */
    public static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** Where jioth's classes of this JVM come from (jars or class directories), in a stable order. */
    public static List<Path> jiothClassPath() {
        Set<Path> out = new LinkedHashSet<>();
        for (String name : MARKERS) {
            try {
                Class<?> c = Class.forName(name, false, Launcher.class.getClassLoader());
                CodeSource cs = c.getProtectionDomain().getCodeSource();
                if (cs != null && cs.getLocation() != null) {
                    out.add(Path.of(cs.getLocation().toURI()).toAbsolutePath());
                }
            } catch (ClassNotFoundException e) {
                // that plug-in is not installed here
            } catch (URISyntaxException e) {
                throw new IllegalStateException("code source of " + name + " is not a path", e);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Writes the agent jar: only a manifest with {@code Premain-Class} and a {@code Class-Path} of
     * absolute {@code file:} URLs.
     */
    public static Path writeAgentJar(Path file, List<Path> classPath) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Premain-Class", RunAgent.class.getName());
        List<String> urls = new ArrayList<>();
        for (Path p : classPath) {
            String u = p.toUri().toString(); // directories end with '/', as Class-Path wants
            urls.add(u);
        }
        a.put(Attributes.Name.CLASS_PATH, String.join(" ", urls));
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, m)) {
            jar.flush();
        }
        return file;
    }

    /** The JVM options before the program's own arguments ({@code javaArgs}). */
    public static List<String> jvmOptions(RunSettings s, Path agentJar, boolean verbose) {
        List<String> cmd = new ArrayList<>();
        cmd.add("--enable-native-access=ALL-UNNAMED");
        // jnet's socket options are jdk.net's: with -m the boot layer resolves only the main module's graph.
        cmd.add("--add-modules=jdk.net");
        cmd.add("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");
        cmd.add("-Djava.nio.channels.spi.SelectorProvider=" + StackSelectorProvider.class.getName());
        cmd.add("-Djava.nio.channels.spi.AsynchronousChannelProvider=" + RefusingAsyncChannelProvider.class.getName());
        cmd.add("-D" + RunSettings.STACK + "=" + s.stack());
        cmd.add("-D" + RunSettings.VNL + "=" + String.join("|", s.vnls()));
        if (!s.conf().isEmpty()) {
            cmd.add("-D" + RunSettings.CONF + "=" + s.conf());
        }
        if (!s.hosts().isEmpty()) {
            List<String> entries = new ArrayList<>();
            s.hosts().forEach((name, addrs) -> addrs.forEach(a -> entries.add(name + "=" + a.getHostAddress())));
            cmd.add("-D" + RunSettings.HOSTS + "=" + String.join(";", entries));
        }
        cmd.add("-D" + RunSettings.RESOLVER + "=" + s.resolver().name().toLowerCase(java.util.Locale.ROOT));
        cmd.add("-javaagent:" + agentJar + (verbose ? "=verbose" : ""));
        return cmd;
    }
}
