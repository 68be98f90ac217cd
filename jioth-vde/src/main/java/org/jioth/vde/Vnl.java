package org.jioth.vde;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Virtual Network Locator (vde-protocols.md §1): {@code scheme://rest}, or a bare string that the
 * default scheme {@code vde} takes whole. {@link #parse(String)} only splits off the scheme;
 * {@link #resolve(VnlSyntax)} then reads the rest with the scheme's grammar and option table
 * (quotes, backslash escapes and {@code %HH} removed, option keys prefix-matched to full names).
 *
 * <p>Immutable. {@link #toString()} of a resolved VNL is a canonical text that parses back to an
 * equal VNL.
 */
public final class Vnl {
    /** The scheme of strings that have no {@code ://}. */
    public static final String DEFAULT_SCHEME = "vde";

    private final String text;
    private final String scheme;
    private final boolean schemeGiven;
    private final String rest;
    private final VnlSyntax syntax;
    private final String main;
    private final Map<String, String> options;

    private Vnl(String text, String scheme, boolean schemeGiven, String rest, VnlSyntax syntax, String main,
            Map<String, String> options) {
        this.text = text;
        this.scheme = scheme;
        this.schemeGiven = schemeGiven;
        this.rest = rest;
        this.syntax = syntax;
        this.main = main;
        this.options = options;
    }

    /** Splits off the scheme ({@code vde} when there is no {@code ://}); the rest stays unread. */
    public static Vnl parse(String text) {
        Objects.requireNonNull(text, "vnl");
        int sep = text.indexOf("://");
        if (sep < 0) {
            return new Vnl(text, DEFAULT_SCHEME, false, text, null, null, null);
        }
        String scheme = text.substring(0, sep);
        if (scheme.isEmpty()) {
            throw new VnlException(text, null, text, "no scheme before '://'", List.of());
        }
        for (int i = 0; i < scheme.length(); i++) {
            char c = scheme.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && c != '_' && c != '-' && c != '+' && c != '.') {
                throw new VnlException(text, null, scheme, "not a scheme name (letters, digits, _ - + . only)",
                        List.of());
            }
        }
        return new Vnl(text, scheme, true, text.substring(sep + 3), null, null, null);
    }

    /** Parses and resolves in one step. */
    public static Vnl parse(String text, VnlSyntax syntax) {
        return parse(text).resolve(syntax);
    }

    /** Reads the rest with {@code syntax}; throws {@link VnlException} naming the bad part. */
    public Vnl resolve(VnlSyntax syntax) {
        Objects.requireNonNull(syntax, "syntax");
        return new Reader(this, syntax).read();
    }

    /** The original text. */
    public String text() {
        return text;
    }

    public String scheme() {
        return scheme;
    }

    /** False when the scheme was implied (a bare path). */
    public boolean schemeGiven() {
        return schemeGiven;
    }

    /** Everything after {@code ://} (the whole text for the default scheme), unread. */
    public String rest() {
        return rest;
    }

    public boolean isResolved() {
        return syntax != null;
    }

    /** The syntax it was resolved with. */
    public VnlSyntax syntax() {
        requireResolved();
        return syntax;
    }

    /** The main argument (path, address, or the raw text), unquoted. */
    public String main() {
        requireResolved();
        return main;
    }

    /** Options by full name in the order given ({@code ""} is the nameless entry); flags map to "". */
    public Map<String, String> options() {
        requireResolved();
        return options;
    }

    /** The value of option {@code name} (its full name), if given. */
    public Optional<String> option(String name) {
        return Optional.ofNullable(options().get(name));
    }

    public boolean hasOption(String name) {
        return options().containsKey(name);
    }

    /** A decimal integer option, or {@code dflt}; a non-number is a {@link VnlException}. */
    public long longOption(String name, long dflt) {
        return numberOption(name, dflt, 10);
    }

    /** An octal option (permissions: octal digits only, 0..07777), or {@code dflt}. */
    public int octalOption(String name, int dflt) {
        String v = options().get(name);
        if (v == null) {
            return dflt;
        }
        if (v.isEmpty() || v.length() > 5 || !v.chars().allMatch(c -> c >= '0' && c <= '7')
                || Integer.parseInt(v, 8) > 07777) {
            throw error(name + "=" + v, "option " + name + " needs octal permissions in 0..07777");
        }
        return Integer.parseInt(v, 8);
    }

    private long numberOption(String name, long dflt, int radix) {
        String v = options().get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v, radix);
        } catch (NumberFormatException e) {
            throw error(name + "=" + v, "option " + name + " needs a number");
        }
    }

    /** A {@link VnlException} about {@code part} of this VNL, listing the accepted options. */
    public VnlException error(String part, String problem) {
        return new VnlException(text, scheme, part, problem, syntax == null ? List.of() : syntax.options());
    }

    private void requireResolved() {
        if (syntax == null) {
            throw new IllegalStateException("VNL not resolved against a scheme syntax yet: " + text);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vnl v && scheme.equals(v.scheme) && Objects.equals(syntax, v.syntax)
                && (syntax == null ? rest.equals(v.rest) : main.equals(v.main) && options.equals(v.options));
    }

    @Override
    public int hashCode() {
        return syntax == null ? Objects.hash(scheme, rest) : Objects.hash(scheme, main, options);
    }

    /** The canonical text: quoting added where needed, option keys spelled in full. */
    @Override
    public String toString() {
        if (syntax == null) {
            return schemeGiven ? scheme + "://" + rest : rest;
        }
        StringBuilder b = new StringBuilder(scheme).append("://");
        switch (syntax.grammar()) {
            case RAW -> b.append(main);
            case ADDRESS -> {
                b.append(escape(main, "/"));
                options.forEach((k, v) -> appendOption(b.append('/'), k, v));
            }
            case PATH -> {
                b.append(escape(main, "[]"));
                if (!options.isEmpty()) {
                    b.append('[');
                    boolean first = true;
                    for (Map.Entry<String, String> e : options.entrySet()) {
                        if (!first) {
                            b.append('/');
                        }
                        first = false;
                        appendOption(b, e.getKey(), e.getValue());
                    }
                    b.append(']');
                }
            }
        }
        return b.toString();
    }

    private static void appendOption(StringBuilder b, String key, String value) {
        if (key.isEmpty()) {
            b.append(escape(value, "/[]="));
        } else {
            b.append(key);
            if (!value.isEmpty()) {
                b.append('=').append(escape(value, "/[]="));
            }
        }
    }

    private static String escape(String s, String delimiters) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == '\'' || c == '"' || c == '%' || delimiters.indexOf(c) >= 0) {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    /** Reads the rest of one VNL with one syntax. */
    private static final class Reader {
        private final Vnl vnl;
        private final VnlSyntax syntax;
        private final String raw;

        Reader(Vnl vnl, VnlSyntax syntax) {
            this.vnl = vnl;
            this.syntax = syntax;
            this.raw = vnl.rest;
        }

        Vnl read() {
            Map<String, String> opts = new LinkedHashMap<>();
            String main;
            switch (syntax.grammar()) {
                case RAW -> main = raw;
                case ADDRESS -> {
                    List<String> tokens = split(raw, 0, raw.length(), '/');
                    main = unquote(tokens.getFirst());
                    for (String t : tokens.subList(1, tokens.size())) {
                        option(t, opts);
                    }
                }
                case PATH -> {
                    int open = find(raw, 0, raw.length(), '[', false);
                    if (open < 0) {
                        int close = find(raw, 0, raw.length(), ']', false);
                        if (close >= 0) {
                            throw fail(raw.substring(close), "']' without '['");
                        }
                        main = unquote(raw);
                    } else {
                        main = unquote(raw.substring(0, open));
                        int close = find(raw, open + 1, raw.length(), ']', false);
                        if (close < 0) {
                            throw fail(raw.substring(open), "'[' without a closing ']'");
                        }
                        if (close + 1 < raw.length()) { // the reference ignores it; a typo should not pass
                            throw fail(raw.substring(close + 1), "text after ']' (quote or escape a ']' inside the options)");
                        }
                        for (String t : split(raw, open + 1, close, '/')) {
                            option(t, opts);
                        }
                    }
                }
                default -> throw new AssertionError();
            }
            return new Vnl(vnl.text, vnl.scheme, vnl.schemeGiven, raw, syntax, main,
                    Collections.unmodifiableMap(opts));
        }

        private void option(String token, Map<String, String> opts) {
            if (token.isEmpty()) {
                return; // "a//b" or "[]": nothing given
            }
            int eq = find(token, 0, token.length(), '=', false);
            String key = unquote(eq < 0 ? token : token.substring(0, eq));
            String value = eq < 0 ? "" : unquote(token.substring(eq + 1));
            String name = key.isEmpty() ? null : syntax.resolve(key);
            if (name == null) {
                if (eq < 0 && syntax.hasNameless()) {
                    put(opts, "", key, token);
                    return;
                }
                throw fail(token, key.isEmpty() ? "empty option key" : "unknown option '" + key + "'");
            }
            put(opts, name, value, token);
        }

        /** A repeated option is an error: which one was meant cannot be told. */
        private void put(Map<String, String> opts, String name, String value, String token) {
            if (opts.putIfAbsent(name, value) != null) {
                throw fail(token, name.isEmpty() ? "a bare value given twice" : "option " + name + " given twice");
            }
        }

        /** Index of the first (or last) {@code c} in [from, to) that is neither quoted nor escaped. */
        private int find(String s, int from, int to, char c, boolean last) {
            int found = -1;
            char quote = 0;
            for (int i = from; i < to; i++) {
                char x = s.charAt(i);
                if (quote != 0) {
                    if (x == quote) {
                        quote = 0;
                    }
                } else if (x == '\\') {
                    i++;
                } else if (x == '\'' || x == '"') {
                    quote = x;
                } else if (x == c) {
                    if (!last) {
                        return i;
                    }
                    found = i;
                }
            }
            return found;
        }

        private List<String> split(String s, int from, int to, char delimiter) {
            List<String> parts = new java.util.ArrayList<>();
            int start = from;
            while (true) {
                int d = find(s, start, to, delimiter, false);
                if (d < 0) {
                    parts.add(s.substring(start, to));
                    return parts;
                }
                parts.add(s.substring(start, d));
                start = d + 1;
            }
        }

        /**
         * Removes quotes and backslashes and decodes {@code %HH} outside quotes. The bytes must be
         * UTF-8 text without NUL: a path or value becomes a Java string (file names, group names,
         * socket addresses), which cannot carry other bytes, so a sequence that is not UTF-8 is an
         * error rather than a U+FFFD that would name another file.
         */
        private String unquote(String s) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
            char quote = 0;
            int i = 0;
            while (i < s.length()) {
                int cp = s.codePointAt(i);
                int n = Character.charCount(cp);
                if (quote != 0) {
                    if (cp == quote) {
                        quote = 0;
                    } else {
                        utf8(out, cp);
                    }
                } else if (cp == '\'' || cp == '"') {
                    quote = (char) cp;
                } else if (cp == '\\') {
                    if (i + 1 >= s.length()) {
                        throw fail(s, "a backslash at the end escapes nothing");
                    }
                    int next = s.codePointAt(i + 1);
                    utf8(out, next);
                    n += Character.charCount(next);
                } else if (cp == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                    out.write(hex(s.charAt(i + 1)) << 4 | hex(s.charAt(i + 2)));
                    n = 3;
                } else {
                    utf8(out, cp);
                }
                i += n;
            }
            if (quote != 0) {
                throw fail(s, "unterminated " + quote + " quote");
            }
            byte[] bytes = out.toByteArray();
            for (byte x : bytes) {
                if (x == 0) {
                    throw fail(s, "a NUL byte cannot be part of a path or value");
                }
            }
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw fail(s, "the bytes (after %HH decoding) are not UTF-8 text");
            }
        }

        private static void utf8(ByteArrayOutputStream out, int cp) {
            out.writeBytes(Character.toString(cp).getBytes(StandardCharsets.UTF_8));
        }

        private static int hex(char c) {
            return Character.digit(c, 16) >= 0 && c < 128 ? Character.digit(c, 16) : -1;
        }

        private VnlException fail(String part, String problem) {
            return new VnlException(vnl.text, vnl.scheme, part, problem, syntax.options());
        }
    }
}
