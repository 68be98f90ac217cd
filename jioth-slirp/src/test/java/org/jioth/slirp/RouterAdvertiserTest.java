package org.jioth.slirp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The advertisement's bytes and when it goes out (virtual time). */
class RouterAdvertiserTest {
    long now = 1_000L * RouterAdvertiser.SECOND;
    final List<byte[]> sent = new ArrayList<>();
    final RouterAdvertiser ra = new RouterAdvertiser(SlirpOptions.defaults(), b -> sent.add(b.array().clone()),
            () -> now);

    @Test
    void theMessageCarriesThePrefixTheMtuAndRdnss() {
        ByteBuffer m = ByteBuffer.wrap(RouterAdvertiser.message(SlirpOptions.defaults()));
        assertThat(m.get(0) & 0xff).isEqualTo(134);
        assertThat(m.get(5) & 0xff).as("O set (DHCPv6 for the DNS server), M clear (SLAAC)").isEqualTo(0x40);
        assertThat(m.getShort(6) & 0xffff).isEqualTo(RouterAdvertiser.ROUTER_LIFETIME_SECONDS);
        assertThat(m.get(16)).isEqualTo((byte) 1); // source link-layer address
        assertThat(m.get(18)).isEqualTo((byte) 0x52);
        assertThat(m.get(24)).isEqualTo((byte) 5); // MTU
        assertThat(m.getInt(28)).isEqualTo(1500);
        assertThat(m.get(32)).isEqualTo((byte) 3); // prefix information
        assertThat(m.get(34)).isEqualTo((byte) 64);
        assertThat(m.get(35) & 0xff).as("on-link and autonomous").isEqualTo(0xc0);
        assertThat(m.get(48) & 0xff).isEqualTo(0xfd);
        assertThat(m.get(64)).isEqualTo((byte) 25); // RDNSS
        assertThat(m.get(65)).isEqualTo((byte) 3);
        assertThat(m.get(88 - 1)).as("fd00::3").isEqualTo((byte) 3);
        assertThat(m.get(88 - 16) & 0xff).isEqualTo(0xfd);
        assertThat(m.capacity()).isEqualTo(88);
    }

    @Test
    void solicitationsAreAnsweredAtOnceThenAtMostEveryThreeSeconds() {
        ra.solicited();
        assertThat(sent).hasSize(1);
        for (int i = 0; i < 100; i++) {
            ra.solicited(); // a flood within the same instant
        }
        assertThat(sent).hasSize(1);
        now += RouterAdvertiser.MIN_DELAY_NANOS - 1;
        ra.tick();
        assertThat(sent).hasSize(1);
        now += 1;
        ra.tick();
        assertThat(sent).as("the delayed answer").hasSize(2);
        ra.tick();
        assertThat(sent).hasSize(2);
        now += RouterAdvertiser.MIN_DELAY_NANOS;
        ra.solicited();
        assertThat(sent).hasSize(3);
    }

    @Test
    void unsolicitedOnesGoOutAtStartThenAtTheInitialIntervalThenRarely() {
        ra.tick();
        assertThat(sent).hasSize(1);
        for (int i = 0; i < 2; i++) {
            now += RouterAdvertiser.INITIAL_INTERVAL_NANOS;
            ra.tick();
        }
        assertThat(sent).hasSize(3);
        now += RouterAdvertiser.INITIAL_INTERVAL_NANOS;
        ra.tick();
        assertThat(sent).as("the start-up ones are over").hasSize(3);
        now += RouterAdvertiser.INTERVAL_NANOS;
        ra.tick();
        assertThat(sent).hasSize(4);
    }
}
