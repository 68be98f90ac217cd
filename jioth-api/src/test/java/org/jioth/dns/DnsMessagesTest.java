package org.jioth.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DnsMessagesTest {

    @Test
    void queryCarriesRdQuestionAndOpt() {
        byte[] q = DnsMessages.query(0x1234, "Example.test.", DnsMessages.TYPE_AAAA, 1232);
        assertThat(q[0]).isEqualTo((byte) 0x12);
        assertThat(q[2]).isEqualTo((byte) 1); // RD
        assertThat(FakeDnsServer.name(q, 12)).isEqualTo("Example.test");
        int opt = 12 + 14 + 4;
        assertThat(q[opt + 2]).isEqualTo((byte) 41);
        assertThat((q[opt + 3] & 0xff) << 8 | q[opt + 4] & 0xff).isEqualTo(1232);
    }

    @Test
    void badNamesAreRefusedWithAReason() {
        assertThatThrownBy(() -> DnsMessages.query(1, "a..b", 1, 0)).hasMessageContaining("label is empty");
        assertThatThrownBy(() -> DnsMessages.query(1, "x".repeat(64), 1, 0)).hasMessageContaining("63");
        assertThatThrownBy(() -> DnsMessages.query(1, "a b", 1, 0)).hasMessageContaining("printable");
    }

    @Test
    void compressionLoopIsRefused() {
        byte[] m = new byte[64];
        m[2] = (byte) 0x80;
        m[5] = 1; // one question
        m[12] = (byte) 0xc0;
        m[13] = 12; // points at itself
        assertThatThrownBy(() -> DnsMessages.parse(m, 18)).isInstanceOf(DnsFormatException.class)
                .hasMessageContaining("pointer");
    }

    @Test
    void queriesAndShortMessagesAreRefused() {
        assertThatThrownBy(() -> DnsMessages.parse(new byte[5], 5)).isInstanceOf(DnsFormatException.class);
        byte[] q = DnsMessages.query(7, "a.test", 1, 0);
        assertThatThrownBy(() -> DnsMessages.parse(q, q.length)).hasMessageContaining("query");
    }

    /** Random bytes after a response header: only DnsFormatException, and at most MAX_RECORDS kept. */
    @Test
    void randomBytesNeverThrowAnythingElse() {
        Random rnd = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] m = new byte[12 + rnd.nextInt(600)];
            rnd.nextBytes(m);
            m[2] |= (byte) 0x80;
            m[4] = 0;
            m[5] = (byte) rnd.nextInt(2);
            try {
                assertThat(DnsMessages.parse(m, m.length).answers()).hasSizeLessThanOrEqualTo(DnsMessages.MAX_RECORDS);
            } catch (DnsFormatException expected) {
                assertThat(expected.getMessage()).startsWith("DNS");
            }
        }
    }
}
