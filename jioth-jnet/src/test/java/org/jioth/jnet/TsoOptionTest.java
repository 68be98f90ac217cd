package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The {@code tso} stack option: TSO in TCP toward a port that segments, off unless asked for. */
class TsoOptionTest {
    @Test
    void tsoIsAFlagOffByDefault() {
        assertThat(JnetOptions.parse("seed=1").tso()).as("the default").isEqualTo(JnetOptions.DEFAULT_TSO);
        assertThat(JnetOptions.defaults().tso()).isEqualTo(JnetOptions.DEFAULT_TSO);
        assertThat(JnetOptions.parse("tso=1").tso()).isTrue();
        assertThat(JnetOptions.parse("seed=1,tso").tso()).isTrue();
        assertThat(JnetOptions.parse("tso=0").tso()).isFalse();
        assertThatThrownBy(() -> JnetOptions.parse("tso=sometimes")).hasMessageContaining("tso=sometimes")
                .hasMessageContaining("want 0 or 1");
    }
}
