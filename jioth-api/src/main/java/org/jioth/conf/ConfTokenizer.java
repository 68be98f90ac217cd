package org.jioth.conf;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits an iothconf string into {@code tag} / {@code tag=value} options as libstropt does:
 * separators are {@code , ; space tab newline} (a run counts as one), {@code '...'}, {@code "..."}
 * and {@code \x} protect separators and {@code =}, and {@code #} starts a comment up to the end of
 * the line.
 */
final class ConfTokenizer {

    /** One option: {@code value} is null for a bare tag. */
    record Option(String tag, String value) {
        @Override
        public String toString() {
            return value == null ? tag : tag + "=" + value;
        }
    }

    private ConfTokenizer() {
    }

    static List<Option> options(String text) {
        List<Option> out = new ArrayList<>();
        StringBuilder tag = new StringBuilder();
        StringBuilder value = null;
        boolean inOption = false;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '#') {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
                continue;
            }
            if (c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                if (inOption) {
                    out.add(finish(tag, value));
                    tag = new StringBuilder();
                    value = null;
                    inOption = false;
                }
                i++;
                continue;
            }
            inOption = true;
            StringBuilder target = value != null ? value : tag;
            if (c == '=' && value == null) {
                value = new StringBuilder();
                i++;
            } else if (c == '\\') {
                if (i + 1 >= n) {
                    throw new IllegalArgumentException("iothconf: a '\\' ends the string: " + text);
                }
                target.append(text.charAt(i + 1));
                i += 2;
            } else if (c == '\'' || c == '"') {
                int end = text.indexOf(c, i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("iothconf: unterminated quote " + c + " at " + text.substring(i));
                }
                target.append(text, i + 1, end);
                i = end + 1;
            } else {
                target.append(c);
                i++;
            }
        }
        if (inOption) {
            out.add(finish(tag, value));
        }
        return out;
    }

    private static Option finish(StringBuilder tag, StringBuilder value) {
        return new Option(tag.toString(), value == null ? null : value.toString());
    }
}
