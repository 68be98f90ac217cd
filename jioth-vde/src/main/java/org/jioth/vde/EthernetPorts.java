package org.jioth.vde;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The entry point: opens an {@link EthernetPort} from a VNL text through the scheme registry. */
public final class EthernetPorts {
    /** The system property naming the schemes every open may use (stub: not read yet). */
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
     * @throws VnlException for a malformed VNL or an unknown scheme (naming the known ones)
     */
    public static EthernetPort open(String vnl) throws IOException {
        Vnl parsed = Vnl.parse(defaulted(vnl == null ? "" : vnl, Path.of(System.getProperty("user.home", "/"))));
        EthernetScheme scheme = schemes().get(parsed.scheme());
        if (scheme == null) {
            throw unknown(parsed.text(), parsed.scheme());
        }
        return scheme.open(parsed.resolve(scheme.syntax()));
    }

    /** Stub: the allow-list is not checked yet. */
    public static EthernetPort open(String vnl, java.util.Set<String> allowedSchemes) throws IOException {
        return open(vnl);
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
