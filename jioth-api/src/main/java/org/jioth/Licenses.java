package org.jioth;

import java.util.Locale;
import java.util.Set;

/**
 * libioth's licence check: whether a program of one SPDX licence may load a plug-in of another.
 * Comparisons ignore case and an optional {@code "SPDX-License-Identifier: "} prefix; in doubt,
 * deny.
 */
public final class Licenses {
    private static final String SPDX_PREFIX = "spdx-license-identifier:";
    private static final Set<String> GPL2_COMPATIBLE =
            Set.of("gpl-2.0-only", "gpl-3.0-only", "gpl-2.0-or-later", "gpl-3.0-or-later");
    private static final Set<String> GPL3_COMPATIBLE = Set.of("gpl-3.0-only", "gpl-3.0-or-later");

    private Licenses() {
    }

    /** The SPDX expression without the optional prefix, trimmed; null stays null. */
    public static String normalize(String spdx) {
        if (spdx == null) {
            return null;
        }
        String s = spdx.strip();
        if (s.toLowerCase(Locale.ROOT).startsWith(SPDX_PREFIX)) {
            s = s.substring(SPDX_PREFIX.length()).strip();
        }
        return s;
    }

    /**
     * May a program licensed {@code program} (null when unset) load a plug-in licensed
     * {@code plugin} (null when it declares none)?
     */
    public static boolean allowed(String program, String plugin) {
        String lib = lower(normalize(plugin));
        if (lib == null || lib.isEmpty() || lib.startsWith("lgpl-")) {
            return true;
        }
        String prog = lower(normalize(program));
        if (prog == null || prog.isEmpty()) {
            return false;
        }
        if (lib.equals(prog)) {
            return true;
        }
        return switch (lib) {
            case "gpl-2.0-or-later", "gpl-2.0-only or gpl-3.0-only" -> GPL2_COMPATIBLE.contains(prog);
            case "gpl-3.0-or-later" -> GPL3_COMPATIBLE.contains(prog);
            default -> false;
        };
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    }
}
