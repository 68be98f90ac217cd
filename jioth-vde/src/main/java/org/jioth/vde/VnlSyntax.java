package org.jioth.vde;

import java.util.List;

/**
 * How a scheme reads the text after {@code scheme://}: the grammar and its option table, in table
 * order (the order decides which option a key prefix selects). A table may start with the nameless
 * entry {@code ""}, which takes bare tokens of the path form that match no key ({@code vde:///sw[4]}).
 */
public record VnlSyntax(Grammar grammar, List<String> options) {
    /** The grammars of vde-protocols.md §1.2, plus RAW for schemes that take their text verbatim. */
    public enum Grammar {
        /** {@code path[opt/opt/...]}: vde, switch, hub, multi, bonding. */
        PATH,
        /** {@code main[/opt[/opt...]]}: vxvde, vxlan. */
        ADDRESS,
        /** The whole text is the argument, verbatim (udp, tap, cmd, ptp, null...). */
        RAW
    }

    public VnlSyntax {
        options = List.copyOf(options);
        for (int i = 0; i < options.size(); i++) {
            if (options.get(i).isEmpty() && i != 0) {
                throw new IllegalArgumentException("the nameless option must come first: " + options);
            }
        }
        if (grammar != Grammar.PATH && options.contains("")) {
            throw new IllegalArgumentException("only the path grammar has a nameless option");
        }
        if (grammar == Grammar.RAW && !options.isEmpty()) {
            throw new IllegalArgumentException("the raw grammar has no options");
        }
    }

    public static VnlSyntax path(String... options) {
        return new VnlSyntax(Grammar.PATH, List.of(options));
    }

    public static VnlSyntax address(String... options) {
        return new VnlSyntax(Grammar.ADDRESS, List.of(options));
    }

    public static VnlSyntax raw() {
        return new VnlSyntax(Grammar.RAW, List.of());
    }

    /** Whether the table starts with the nameless entry. */
    public boolean hasNameless() {
        return !options.isEmpty() && options.getFirst().isEmpty();
    }

    /** The first option whose name starts with {@code key} (the nameless entry never matches), or null. */
    public String resolve(String key) {
        for (String name : options) {
            if (!name.isEmpty() && name.startsWith(key)) {
                return name;
            }
        }
        return null;
    }
}
