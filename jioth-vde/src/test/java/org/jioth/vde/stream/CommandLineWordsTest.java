package org.jioth.vde.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** cmd://'s command line: blanks split, quotes and backslashes protect, %HH decodes (§1.3). */
class CommandLineWordsTest {
    @Test
    void splitsOnBlanksAndHonoursQuotesEscapesAndPercentBytes() {
        assertThat(CommandLineWords.split("vde_plug vde:///tmp/sw")).containsExactly("vde_plug", "vde:///tmp/sw");
        assertThat(CommandLineWords.split("  ssh   host\tvde_plug  ")).containsExactly("ssh", "host", "vde_plug");
        assertThat(CommandLineWords.split("sh -c 'echo a  b' \"x y\"z")).containsExactly("sh", "-c", "echo a  b", "x yz");
        assertThat(CommandLineWords.split("a\\ b c\\'d")).containsExactly("a b", "c'd");
        assertThat(CommandLineWords.split("a%20b '%20' %zz")).containsExactly("a b", "%20", "%zz");
        assertThat(CommandLineWords.split("''")).containsExactly("");
        assertThat(CommandLineWords.split("   ")).isEmpty();
    }

    @Test
    void unterminatedQuotesAndTrailingBackslashesAreErrors() {
        assertThatThrownBy(() -> CommandLineWords.split("sh -c 'x")).hasMessageContaining("unterminated ' quote");
        assertThatThrownBy(() -> CommandLineWords.split("x\\")).hasMessageContaining("backslash");
    }

    /** Security (issue 12, item 13): %HH bytes must make UTF-8 text, and no NUL; nothing is replaced silently. */
    @Test
    void percentBytesThatAreNotUtf8OrNulAreErrors() {
        assertThat(CommandLineWords.split("x%c3%a9")).containsExactly("x\u00e9");
        assertThatThrownBy(() -> CommandLineWords.split("touch /tmp/%ff")).hasMessageContaining("not UTF-8")
                .hasMessageContaining("/tmp/%ff");
        assertThatThrownBy(() -> CommandLineWords.split("a%00b")).hasMessageContaining("NUL");
    }
}
