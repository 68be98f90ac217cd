package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The {@code cc=} stack option (TCP congestion control of the stack's connections). */
class CongestionControlOptionTest {
    @Test
    void ccNamesAKnownControllerOrFailsClearly() {
        assertThat(JnetOptions.parse("cc=bbr").congestionControl()).isEqualTo("bbr");
        assertThat(JnetOptions.parse("seed=1,cc=newreno").congestionControl()).isEqualTo("newreno");
        assertThat(JnetOptions.parse("seed=1").congestionControl()).as("the default").isNull();
        assertThatThrownBy(() -> JnetOptions.parse("cc=vegas"))
                .hasMessageContaining("cc=vegas").hasMessageContaining("bbr, cubic, newreno");
    }
}
