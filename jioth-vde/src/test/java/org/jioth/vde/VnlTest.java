package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class VnlTest {
    static final VnlSyntax VDE = VnlSyntax.path("", "port", "portgroup", "group", "mode");
    static final VnlSyntax SWITCH = VnlSyntax.path("mode", "dirmode", "grp", "hashsize", "hashseed", "expiretime");
    static final VnlSyntax VXVDE = VnlSyntax.address("port", "vni", "grp", "ttl", "rcvbuf", "v6", "v4", "hashsize",
            "expiretime", "if", "bind");

    /** text, syntax, scheme, main, options as k=v pairs ("" key = nameless). */
    static Stream<Arguments> good() {
        return Stream.of(
                row("/tmp/sw", VDE, "vde", "/tmp/sw"),
                row("vde:///tmp/sw", VDE, "vde", "/tmp/sw"),
                row("vde://", VDE, "vde", ""),
                row("vde:///tmp/sw[4]", VDE, "vde", "/tmp/sw", "", "4"),
                row("vde:///tmp/sw[0]", VDE, "vde", "/tmp/sw", "", "0"),
                row("vde:///tmp/sw[mygroup]", VDE, "vde", "/tmp/sw", "", "mygroup"),
                row("vde:///tmp/sw[port=5]", VDE, "vde", "/tmp/sw", "port", "5"),
                row("vde:///tmp/sw[p=5]", VDE, "vde", "/tmp/sw", "port", "5"),
                row("vde:///tmp/sw[portg=blue/m=0770]", VDE, "vde", "/tmp/sw", "portgroup", "blue", "mode", "0770"),
                row("vde:///tmp/sw[gr=users]", VDE, "vde", "/tmp/sw", "group", "users"),
                row("vde:///tmp/sw[a\\]b]", VDE, "vde", "/tmp/sw", "", "a]b"),
                row("vde:///tmp/sw['a]b']", VDE, "vde", "/tmp/sw", "", "a]b"),
                row("vde:///tmp/sw[]", VDE, "vde", "/tmp/sw"),
                row("vde:///tmp/sw[5//mode=0700]", VDE, "vde", "/tmp/sw", "", "5", "mode", "0700"),
                row("vde:///tmp/'a[b]'/sw", VDE, "vde", "/tmp/a[b]/sw"),
                row("vde:///tmp/\"x y\"[4]", VDE, "vde", "/tmp/x y", "", "4"),
                row("vde:///tmp/a\\[b", VDE, "vde", "/tmp/a[b"),
                row("vde:///tmp/a%5bb%5D", VDE, "vde", "/tmp/a[b]"),
                row("vde:///tmp/%zz%4", VDE, "vde", "/tmp/%zz%4"),
                row("vde:///tmp/%C3%A9t%c3%a9", VDE, "vde", "/tmp/été"),
                row("vde:///tmp/'%41'", VDE, "vde", "/tmp/%41"),
                row("vde:///tmp/\\%41", VDE, "vde", "/tmp/%41"),
                row("vde:///sw['a/b']", VDE, "vde", "/sw", "", "a/b"),
                row("vde:///sw[mode='07'\"00\"]", VDE, "vde", "/sw", "mode", "0700"),
                row("vde:///sw[m]", VDE, "vde", "/sw", "mode", ""),
                row("switch:///tmp/sw[mode=0666/hashsize=1024]", SWITCH, "switch", "/tmp/sw", "mode", "0666",
                        "hashsize", "1024"),
                row("switch:///tmp/sw[hashs=64/hashse=7/e=30]", SWITCH, "switch", "/tmp/sw", "hashsize", "64",
                        "hashseed", "7", "expiretime", "30"),
                row("switch://", SWITCH, "switch", ""),
                row("vxvde://239.1.2.3/port=5000/vni=42", VXVDE, "vxvde", "239.1.2.3", "port", "5000", "vni", "42"),
                row("vxvde:///v6", VXVDE, "vxvde", "", "v6", ""),
                row("vxvde://", VXVDE, "vxvde", ""),
                row("vxvde://ff05::1/p=1/t=3/v4", VXVDE, "vxvde", "ff05::1", "port", "1", "ttl", "3", "v4", ""),
                row("vxvde://x/if='a/b'", VXVDE, "vxvde", "x", "if", "a/b"),
                row("vxvde://x/h=16/bi=::1", VXVDE, "vxvde", "x", "hashsize", "16", "bind", "::1"),
                row("udp://5000->127.0.0.1:6000", VnlSyntax.raw(), "udp", "5000->127.0.0.1:6000"),
                row("cmd://ssh host 'vde_plug [x]'", VnlSyntax.raw(), "cmd", "ssh host 'vde_plug [x]'"),
                row("null://", VnlSyntax.raw(), "null", ""));
    }

    static Arguments row(String text, VnlSyntax syntax, String scheme, String main, String... kv) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            opts.put(kv[i], kv[i + 1]);
        }
        return Arguments.of(text, syntax, scheme, main, opts);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("good")
    void parses(String text, VnlSyntax syntax, String scheme, String main, Map<String, String> options) {
        Vnl vnl = Vnl.parse(text, syntax);
        assertThat(vnl.scheme()).isEqualTo(scheme);
        assertThat(vnl.main()).isEqualTo(main);
        assertThat(vnl.options()).containsExactlyEntriesOf(options);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("good")
    void canonicalTextRoundTrips(String text, VnlSyntax syntax) {
        Vnl vnl = Vnl.parse(text, syntax);
        Vnl again = Vnl.parse(vnl.toString(), syntax);
        assertThat(again).isEqualTo(vnl);
        assertThat(again.toString()).isEqualTo(vnl.toString());
    }

    @Test
    void bareStringGoesToVdeWhole() {
        Vnl vnl = Vnl.parse("/tmp/sw[3]");
        assertThat(vnl.scheme()).isEqualTo("vde");
        assertThat(vnl.schemeGiven()).isFalse();
        assertThat(vnl.rest()).isEqualTo("/tmp/sw[3]");
        assertThat(vnl.isResolved()).isFalse();
        assertThat(Vnl.parse("tap://t0").rest()).isEqualTo("t0");
    }

    @Test
    void canonicalSpellsKeysInFull() {
        assertThat(Vnl.parse("vde:///sw[p=5/m=0700]", VDE).toString()).isEqualTo("vde:///sw[port=5/mode=0700]");
        assertThat(Vnl.parse("vxvde:///v=3/v6", VXVDE).toString()).isEqualTo("vxvde:///vni=3/v6");
    }

    static Stream<Arguments> bad() {
        return Stream.of(
                Arguments.of("://x", VDE, "://x", "no scheme"),
                Arguments.of("v d e://x", VDE, "v d e", "not a scheme name"),
                Arguments.of("vde:///sw[nosuch=1]", VDE, "nosuch=1", "unknown option 'nosuch'"),
                Arguments.of("switch:///sw[4]", SWITCH, "4", "unknown option '4'"),
                Arguments.of("switch:///sw[=4]", SWITCH, "=4", "empty option key"),
                Arguments.of("vde:///sw[4", VDE, "[4", "without a closing"),
                Arguments.of("vde:///sw]", VDE, "]", "without '['"),
                Arguments.of("vde:///'sw", VDE, "/'sw", "unterminated ' quote"),
                Arguments.of("vde:///sw[mode=\"07]", VDE, "[mode=\"07]", "without a closing"),
                Arguments.of("vde:///sw\\", VDE, "/sw\\", "backslash at the end"),
                Arguments.of("vxvde://x/zz=1", VXVDE, "zz=1", "unknown option 'zz'"),
                Arguments.of("vxvde://x/4", VXVDE, "4", "unknown option '4'"),
                // security (issue 12, item 13): nothing is silently dropped or overwritten
                Arguments.of("vde:///tmp/sw[4]garbage", VDE, "garbage", "text after ']'"),
                Arguments.of("vde:///tmp/sw[a]b]", VDE, "b]", "text after ']'"),
                Arguments.of("vde:///tmp/%ff%fe", VDE, "/tmp/%ff%fe", "not UTF-8"),
                Arguments.of("vde:///sw[group=%c3]", VDE, "%c3", "not UTF-8"),
                Arguments.of("vde:///tmp/a%00b", VDE, "/tmp/a%00b", "NUL"),
                Arguments.of("switch:///sw[mode=0600/mode=0666]", SWITCH, "mode=0666", "option mode given twice"),
                Arguments.of("switch:///sw[mode=0600/m=0666]", SWITCH, "m=0666", "option mode given twice"),
                Arguments.of("vxvde://x/vni=1/vni=2", VXVDE, "vni=2", "option vni given twice"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bad")
    void rejectsNamingThePart(String text, VnlSyntax syntax, String part, String problem) {
        assertThatThrownBy(() -> Vnl.parse(text, syntax))
                .isInstanceOfSatisfying(VnlException.class, e -> {
                    assertThat(e.part()).isEqualTo(part);
                    assertThat(e.getMessage()).contains(problem).contains(text);
                    if (e.scheme() != null) {
                        assertThat(e.getMessage()).contains("scheme " + e.scheme());
                        syntax.options().stream().filter(o -> !o.isEmpty())
                                .forEach(o -> assertThat(e.getMessage()).contains(o));
                    }
                });
    }

    @Test
    void numericOptions() {
        Vnl vnl = Vnl.parse("switch:///sw[mode=0666/hashsize=64/e=x]", SWITCH);
        assertThat(vnl.octalOption("mode", 0600)).isEqualTo(0666);
        assertThat(vnl.octalOption("dirmode", 02700)).isEqualTo(02700);
        assertThat(vnl.longOption("hashsize", 256)).isEqualTo(64);
        assertThatThrownBy(() -> vnl.longOption("expiretime", 120)).isInstanceOf(VnlException.class)
                .hasMessageContaining("expiretime=x").hasMessageContaining("hashseed");
    }

    /** Security (issue 12, item 13): permissions are octal digits in 0..07777, nothing else. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"-1", "+600", "10000", "777777777777", "0x1ff", "8"})
    void octalOptionsAreRangeChecked(String value) {
        Vnl vnl = Vnl.parse("switch:///sw[mode=" + value + "]", SWITCH);
        assertThatThrownBy(() -> vnl.octalOption("mode", 0600)).isInstanceOfSatisfying(VnlException.class, e -> {
            assertThat(e.part()).isEqualTo("mode=" + value);
            assertThat(e.getMessage()).contains("0..07777");
        });
    }
}
