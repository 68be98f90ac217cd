package org.jioth.jnet.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IngressBudgetTest {
    @Test
    void windowsMayPromiseSeventyPercentOfTheQueue() {
        assertThat(new IngressBudget(92).usable()).isEqualTo(64);
        assertThat(new IngressBudget(1).usable()).isEqualTo(IngressBudget.MIN_SHARE);
    }

    @Test
    void aLoneMemberMayPromiseEverything() {
        IngressBudget b = new IngressBudget(100);
        b.join();
        assertThat(b.share(0)).isEqualTo(70);
        b.promise(0, 70);
        assertThat(b.share(70)).isEqualTo(70);
    }

    @Test
    void aNewcomerGetsWhatTheOthersLeaveButAtLeastAnEqualSplit() {
        IngressBudget b = new IngressBudget(100);
        b.join();
        b.promise(0, 20);
        b.join();
        assertThat(b.share(0)).isEqualTo(50); // 50 free, 35 an equal split
        b.promise(0, 50);
        assertThat(b.share(20)).isEqualTo(35); // the first now has only an equal split
        b.join();
        assertThat(b.share(0)).isEqualTo(23); // nothing left, a third of 70
    }

    @Test
    void manyMembersStillGetFourFramesEach() {
        IngressBudget b = new IngressBudget(92);
        for (int i = 0; i < 100; i++) {
            b.join();
        }
        assertThat(b.share(0)).as("nothing promised yet").isEqualTo(64);
        b.promise(0, 64);
        assertThat(b.share(0)).isEqualTo(IngressBudget.MIN_SHARE);
    }

    @Test
    void leavingReturnsThePromise() {
        IngressBudget b = new IngressBudget(100);
        b.join();
        b.promise(0, 30);
        b.join();
        b.promise(0, 40);
        b.leave(40);
        assertThat(b.members()).isEqualTo(1);
        assertThat(b.promised()).isEqualTo(30);
        assertThat(b.share(30)).isEqualTo(70);
    }

    @Test
    void anEmptyQueueIsRefusedByName() {
        assertThatThrownBy(() -> new IngressBudget(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ingress queue of 0 frames");
    }
}
