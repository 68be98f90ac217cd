package org.jioth.vde.portsupport;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the option strings of one scheme (full option names as keys, the empty string for a bare
 * flag) and turns bad input into an {@link IllegalArgumentException} that names the scheme, the
 * option and what it accepts.
 */
public final class OptionReader {
    private final String scheme;
    private final Map<String, String> options;

    /** Checks that every key of {@code options} is one of {@code accepted}. */
    public OptionReader(String scheme, Map<String, String> options, List<String> accepted) {
        this.scheme = scheme;
        this.options = options == null ? Map.of() : Map.copyOf(options);
        for (String key : this.options.keySet()) {
            if (!accepted.contains(key)) {
                throw new IllegalArgumentException(scheme + ": unknown option '" + key + "'; accepted: "
                        + (accepted.isEmpty() ? "none" : String.join(", ", accepted)));
            }
        }
    }

    public boolean has(String key) {
        return options.containsKey(key);
    }

    /** A flag is set by its presence (any value but "0", "false" or "no"). */
    public boolean flag(String key) {
        String v = options.get(key);
        if (v == null) {
            return false;
        }
        String lower = v.toLowerCase(Locale.ROOT);
        return !(lower.equals("0") || lower.equals("false") || lower.equals("no"));
    }

    public String string(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }

    /** A decimal (or 0x hex) integer in [min, max], or {@code fallback} when absent. */
    public long integer(String key, long fallback, long min, long max) {
        String v = options.get(key);
        if (v == null) {
            return fallback;
        }
        return parseInteger(v, key, min, max);
    }

    /** Parses one integer option value, naming the option in the error. */
    public long parseInteger(String value, String key, long min, long max) {
        long n;
        try {
            String t = value.trim();
            n = t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw bad(key, value, "an integer from " + min + " to " + max);
        }
        if (n < min || n > max) {
            throw bad(key, value, "an integer from " + min + " to " + max);
        }
        return n;
    }

    /** A byte count with an optional k/m/g/t suffix (powers of 1024), or {@code fallback}. */
    public long size(String key, long fallback, long max) {
        String v = options.get(key);
        if (v == null) {
            return fallback;
        }
        String t = v.trim();
        if (t.isEmpty()) {
            throw bad(key, v, "a size such as 65536, 256k or 4m");
        }
        int shift = switch (Character.toLowerCase(t.charAt(t.length() - 1))) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            default -> 0;
        };
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw bad(key, v, "a size such as 65536, 256k or 4m");
        }
        if (n < 0 || (shift > 0 && n > (max >> shift)) || (n << shift) > max) {
            throw bad(key, v, "a size from 0 to " + max + " bytes");
        }
        return n << shift;
    }

    public IllegalArgumentException bad(String key, String value, String accepted) {
        return new IllegalArgumentException(
                scheme + ": bad value '" + value + "' for option '" + key + "'; expected " + accepted);
    }

    public String scheme() {
        return scheme;
    }
}
