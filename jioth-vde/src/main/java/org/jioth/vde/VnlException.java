package org.jioth.vde;

import java.util.List;

/**
 * A VNL that cannot be understood. The message names the scheme, the offending part and, where
 * options are involved, the options the scheme accepts.
 *
 * <p>Unchecked on purpose (it extends {@link IllegalArgumentException}, as {@link
 * java.net.URI#create} does for a bad URI): parsing a VNL is a pure function of a string that comes
 * from configuration or code, it does no I/O, and a caller can always avoid the failure by fixing the
 * string. Failures to reach the network named by a good VNL are {@link java.io.IOException}s.
 */
public final class VnlException extends IllegalArgumentException {
    private final String scheme;
    private final String part;
    private final List<String> acceptedOptions;

    public VnlException(String vnl, String scheme, String part, String problem, List<String> acceptedOptions) {
        super(message(vnl, scheme, part, problem, acceptedOptions));
        this.scheme = scheme;
        this.part = part;
        this.acceptedOptions = List.copyOf(acceptedOptions);
    }

    private static String message(String vnl, String scheme, String part, String problem, List<String> accepted) {
        StringBuilder m = new StringBuilder("bad VNL '").append(vnl).append("'");
        if (scheme != null) {
            m.append(" (scheme ").append(scheme).append(")");
        }
        m.append(": ").append(problem);
        if (part != null) {
            m.append(": '").append(part).append("'");
        }
        if (scheme != null) {
            List<String> named = accepted.stream().filter(s -> !s.isEmpty()).toList();
            m.append("; ").append(scheme).append(" accepts ");
            m.append(named.isEmpty() ? "no options" : "options " + String.join(", ", named));
            if (accepted.contains("")) {
                m.append(" and a bare value");
            }
        }
        return m.toString();
    }

    /** The scheme the VNL selected, or null when even that could not be told. */
    public String scheme() {
        return scheme;
    }

    /** The offending part of the VNL, or null. */
    public String part() {
        return part;
    }

    /** The option names the scheme accepts ("" is its nameless entry). */
    public List<String> acceptedOptions() {
        return acceptedOptions;
    }
}
