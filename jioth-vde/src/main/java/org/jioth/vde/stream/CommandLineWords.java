package org.jioth.vde.stream;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits the command line of {@code cmd://} into argv without a shell, with the quoting of
 * vde-protocols.md §1.3: words are separated by unquoted blanks; {@code '...'} and {@code "..."} quote
 * (blanks inside lose their meaning, the quote characters are removed); {@code \x} makes {@code x}
 * literal; {@code %HH} outside quotes is that byte (so {@code %20} is a space); the bytes of a word
 * must be UTF-8 text without NUL. No variables, globs or redirections.
 */
public final class CommandLineWords {
    private CommandLineWords() {
    }

    /** The words of {@code line}; an {@link IllegalArgumentException} names an unterminated quote. */
    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        ByteArrayOutputStream word = new ByteArrayOutputStream();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    append(word, line, i);
                    i += Character.charCount(line.codePointAt(i)) - 1;
                }
            } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                if (inWord) {
                    words.add(text(word, line));
                    word.reset();
                    inWord = false;
                }
            } else {
                inWord = true;
                if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '\\') {
                    if (i + 1 >= line.length()) {
                        throw new IllegalArgumentException("a backslash at the end escapes nothing: " + line);
                    }
                    i++;
                    append(word, line, i);
                    i += Character.charCount(line.codePointAt(i)) - 1;
                } else if (c == '%' && i + 2 < line.length() && hex(line.charAt(i + 1)) >= 0 && hex(line.charAt(i + 2)) >= 0) {
                    word.write(hex(line.charAt(i + 1)) << 4 | hex(line.charAt(i + 2)));
                    i += 2;
                } else {
                    append(word, line, i);
                    i += Character.charCount(line.codePointAt(i)) - 1;
                }
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unterminated " + quote + " quote in: " + line);
        }
        if (inWord) {
            words.add(text(word, line));
        }
        return words;
    }

    /** A word's bytes as text: UTF-8 without NUL, or an error (an argument is a Java string, not bytes). */
    private static String text(ByteArrayOutputStream word, String line) {
        byte[] bytes = word.toByteArray();
        for (byte b : bytes) {
            if (b == 0) {
                throw new IllegalArgumentException("a NUL byte cannot be part of an argument: " + line);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("the bytes (after %HH decoding) are not UTF-8 text: " + line);
        }
    }

    private static void append(ByteArrayOutputStream out, String s, int i) {
        out.writeBytes(Character.toString(s.codePointAt(i)).getBytes(StandardCharsets.UTF_8));
    }

    private static int hex(char c) {
        return c < 128 ? Character.digit(c, 16) : -1;
    }
}
