package org.jioth.vde;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/** The entry point: opens an {@link EthernetPort} from a VNL text through the scheme registry. */
public final class EthernetPorts {
    /**
     * The system property that limits the schemes every {@link #open} in this JVM may use: a
     * comma-separated list ({@code -Dioth.vnl.schemes=vde,switch}); unset allows all, empty allows
     * none. Read at each open.
     */
    public static final String SCHEMES_PROPERTY = "ioth.vnl.schemes";
    private static volatile Map<String, EthernetScheme> schemes;

    private EthernetPorts() {
    }

    /**
     * Opens the network {@code vnl} names (vde-protocols.md §1.1): the scheme picks the
     * {@link EthernetScheme}; a string without {@code ://} goes to {@code vde}. An empty VNL uses
     * {@code ~/.vdeplug/default} or {@code ~/.vde2/default.switch}; a scheme-less VNL that names a
     * regular file is replaced by the file's first line.
     *
     * <p>Any scheme may be used unless the system property {@value #SCHEMES_PROPERTY} limits them.
     * <strong>{@code cmd://} runs a program named by the VNL</strong>: a program that passes VNLs it
     * did not write itself should use {@link #open(String, Set)}.
     *
     * @throws VnlException for a malformed VNL, an unknown scheme (naming the known ones) or a scheme
     *                      the property does not allow
     */
    public static EthernetPort open(String vnl) throws IOException {
        return open(vnl, SchemePolicy.current(null));
    }

    /**
     * As {@link #open(String)}, but only the schemes in {@code allowedSchemes} (and in the system
     * property {@value #SCHEMES_PROPERTY}, when set) may be used. The check comes before anything is
     * opened, read or run: a scheme-less VNL is {@code vde} and must be allowed before a VNL file is
     * read, and the VNL read from such a file is checked again.
     *
     * @throws VnlException naming the refused scheme and the allowed ones
     */
    public static EthernetPort open(String vnl, Set<String> allowedSchemes) throws IOException {
        return open(vnl, SchemePolicy.current(Objects.requireNonNull(allowedSchemes, "allowedSchemes")));
    }

    private static EthernetPort open(String vnl, SchemePolicy policy) throws IOException {
        String text = vnl == null ? "" : vnl;
        policy.check(text, Vnl.parse(text).scheme());
        Vnl parsed = Vnl.parse(defaulted(text, Path.of(System.getProperty("user.home", "/"))));
        policy.check(parsed.text(), parsed.scheme());
        EthernetScheme scheme = schemes().get(parsed.scheme());
        if (scheme == null) {
            throw unknown(parsed.text(), parsed.scheme());
        }
        return scheme.open(parsed.resolve(scheme.syntax()));
    }

    /** The scheme registered for {@code name}; a {@link VnlException} listing the known ones otherwise. */
    public static EthernetScheme scheme(String name) {
        EthernetScheme s = schemes().get(name);
        if (s == null) {
            throw unknown(name + "://", name);
        }
        return s;
    }

    private static VnlException unknown(String vnl, String scheme) {
        return new VnlException(vnl, null, scheme,
                "unknown scheme (known: " + String.join(", ", schemes().keySet()) + ")", java.util.List.of());
    }

    /** Every registered scheme by name, sorted. */
    public static Map<String, EthernetScheme> schemes() {
        Map<String, EthernetScheme> s = schemes;
        if (s == null) {
            Map<String, EthernetScheme> found = new TreeMap<>();
            for (EthernetScheme scheme : ServiceLoader.load(EthernetScheme.class, EthernetPorts.class.getClassLoader())) {
                for (String name : scheme.names()) {
                    found.putIfAbsent(name, scheme); // first on the path wins, as the C plug-in search
                }
            }
            schemes = s = java.util.Collections.unmodifiableMap(found);
        }
        return s;
    }

    /** The VNL after the default-network rules of §1.1 (files under {@code home} and VNL files). */
    static String defaulted(String vnl, Path home) throws IOException {
        if (vnl.isEmpty()) {
            for (Path p : new Path[] {home.resolve(".vdeplug/default"), home.resolve(".vde2/default.switch")}) {
                if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                    vnl = p.toString();
                    break;
                }
            }
        }
        if (!vnl.isEmpty() && !vnl.contains("://")) {
            Path p;
            try {
                p = Path.of(vnl);
            } catch (java.nio.file.InvalidPathException e) {
                return vnl;
            }
            if (Files.isRegularFile(p)) {
                String first = Files.readAllLines(p).stream().findFirst().orElse("");
                return first;
            }
        }
        return vnl;
    }
}
