package org.jioth.jnet.mem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Issue 11: the per-stack memory budget, its pressure marks and its JVM-wide parent. */
class MemoryBudgetTest {
    private static final long M = 1 << 20;

    @Test
    void sizesParseWithBinaryUnitsAndNameTheSettingWhenWrong() {
        assertThat(MemoryBudget.parseSize("65536", "x")).isEqualTo(65536);
        assertThat(MemoryBudget.parseSize("512k", "x")).isEqualTo(512 * 1024);
        assertThat(MemoryBudget.parseSize("64M", "x")).isEqualTo(64 * M);
        assertThat(MemoryBudget.parseSize("2g", "x")).isEqualTo(2L << 30);
        assertThatThrownBy(() -> MemoryBudget.parseSize("lots", "membudget"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("membudget");
        assertThatThrownBy(() -> new MemoryBudget("t", 1000, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pressureStartsAboveThreeQuartersAndEndsBelowHalf() {
        MemoryBudget b = new MemoryBudget("t", 4 * M, null);
        assertThat(b.charge(3 * M)).isTrue();
        assertThat(b.underPressure()).isFalse();
        assertThat(b.charge(1)).isTrue();
        assertThat(b.underPressure()).isTrue();
        assertThat(b.get(MemoryBudget.Event.PRESSURE_ENTERED)).isEqualTo(1);
        b.release(M); // 2 MiB + 1: still above the low mark
        assertThat(b.underPressure()).isTrue();
        b.release(2);
        assertThat(b.underPressure()).isFalse();
        assertThat(b.used()).isEqualTo(2 * M - 1);
    }

    @Test
    void nothingIsChargedBeyondTheLimit() {
        MemoryBudget b = new MemoryBudget("t", M, null);
        assertThat(b.charge(M)).isTrue();
        assertThat(b.charge(1)).isFalse();
        assertThat(b.used()).isEqualTo(M);
        assertThat(b.get(MemoryBudget.Event.REFUSED)).isEqualTo(1);
        assertThat(b.peak()).isEqualTo(M);
    }

    @Test
    void peersGetNewConnectionsOnlyBelowThePressureMarkTheApplicationUpToTheLimit() {
        MemoryBudget b = new MemoryBudget("t", M, null);
        assertThat(b.charge(M / 4 * 3 - 100)).isTrue();
        assertThat(b.admitConnection(1000, true)).isFalse();
        assertThat(b.get(MemoryBudget.Event.CONNECTIONS_REFUSED)).isEqualTo(1);
        assertThat(b.admitConnection(1000, false)).isTrue();
        assertThat(b.connections()).isEqualTo(1);
        b.releaseConnection(1000);
        assertThat(b.connections()).isZero();
        assertThat(b.used()).isEqualTo(M / 4 * 3 - 100);
    }

    @Test
    void underPressureOnlyAConnectionBelowItsFairShareGrows() {
        MemoryBudget b = new MemoryBudget("t", M, null);
        for (int i = 0; i < 4; i++) {
            assertThat(b.admitConnection(1024, true)).isTrue();
        }
        assertThat(b.charge(M / 4 * 3)).isTrue(); // pressure
        assertThat(b.underPressure()).isTrue();
        assertThat(b.grow(4096, M / 4)).isFalse(); // would pass a quarter of the limit
        assertThat(b.grow(4096, 8192)).isTrue();
    }

    @Test
    void aChargeMustFitTheJvmWideParentToo() {
        MemoryBudget jvm = new MemoryBudget("jvm", M, null);
        MemoryBudget a = new MemoryBudget("a", M, jvm);
        MemoryBudget b = new MemoryBudget("b", M, jvm);
        assertThat(a.charge(M / 2)).isTrue();
        assertThat(b.charge(M / 2)).isTrue();
        assertThat(b.charge(1)).isFalse(); // b's own limit is far, the JVM's is reached
        assertThat(b.used()).isEqualTo(M / 2);
        assertThat(jvm.used()).isEqualTo(M);
        assertThat(a.underPressure()).isTrue(); // the parent's pressure is every stack's
        assertThat(a.admitConnection(100, true)).isFalse();
        a.release(M / 2);
        assertThat(jvm.used()).isEqualTo(M / 2);
    }

    @Test
    void aClosedBudgetGivesWhatItHeldBackToItsParentOnce() {
        MemoryBudget jvm = new MemoryBudget("jvm", M, null);
        MemoryBudget a = new MemoryBudget("a", M, jvm);
        assertThat(a.charge(1000)).isTrue();
        assertThat(a.charge(500)).isTrue();
        a.release(500);
        assertThat(jvm.used()).isEqualTo(1000);
        a.close();
        assertThat(jvm.used()).isZero();
        a.release(1000); // a late release (a channel read after close) is not taken from the parent twice
        assertThat(jvm.used()).isZero();
        assertThat(a.charge(10)).isFalse();
    }
}
