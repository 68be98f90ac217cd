package org.jioth.vde;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which VNL schemes an {@link EthernetPorts#open} may use: the program's allow-list (null: any) and
 * the system property {@value EthernetPorts#SCHEMES_PROPERTY} (unset: any; a comma-separated list;
 * empty: none). A scheme must pass both, so the property can narrow a program's list but never widen
 * it. Checked before anything is opened, read or run: {@code cmd://} runs a program, so a program
 * that passes VNLs it did not write must be able to refuse it.
 */
final class SchemePolicy {
    private final Set<String> program;
    private final Set<String> property;

    private SchemePolicy(Set<String> program, Set<String> property) {
        this.program = program;
        this.property = property;
    }

    /** The policy now in force for a call with {@code allowedSchemes} (null: the program allows any). */
    static SchemePolicy current(Set<String> allowedSchemes) {
        String p = System.getProperty(EthernetPorts.SCHEMES_PROPERTY);
        Set<String> fromProperty = p == null ? null
                : new TreeSet<>(Arrays.stream(p.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
        return new SchemePolicy(allowedSchemes == null ? null : new TreeSet<>(allowedSchemes), fromProperty);
    }

    /** Throws a {@link VnlException} naming the scheme and both lists unless {@code scheme} is allowed. */
    void check(String vnlText, String scheme) {
        boolean byProgram = program == null || program.contains(scheme);
        boolean byProperty = property == null || property.contains(scheme);
        if (byProgram && byProperty) {
            return;
        }
        StringBuilder why = new StringBuilder("scheme ").append(scheme).append(" is not allowed here (");
        if (!byProgram) {
            why.append("this program allows ").append(list(program));
        }
        if (!byProperty) {
            why.append(byProgram ? "" : "; ").append("-D").append(EthernetPorts.SCHEMES_PROPERTY).append(" allows ")
                    .append(list(property));
        }
        throw new VnlException(vnlText, null, scheme, why.append(')').toString(), List.of());
    }

    private static String list(Set<String> s) {
        return s.isEmpty() ? "none" : String.join(", ", s);
    }
}
