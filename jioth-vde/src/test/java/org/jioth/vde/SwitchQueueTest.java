package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class SwitchQueueTest {
    @Test
    void theDefaultSendBufferHoldsNinetyTwoFullFrames() {
        assertThat(SwitchQueue.frames(212_992)).isEqualTo(92);
    }

    @Test
    void anyBufferHoldsAtLeastOneFrame() {
        assertThat(SwitchQueue.frames(0)).isEqualTo(1);
        assertThat(SwitchQueue.frames(Long.MAX_VALUE)).isLessThan(Integer.MAX_VALUE);
    }

    /** The first version read the file with Files.readString, which returned "2": a port reported 1 frame. */
    @Test
    void theHostsDefaultSendBufferIsReadWhole() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/sys/net/core/wmem_default")), "no /proc/sys/net/core/wmem_default");
        Process cat = new ProcessBuilder("cat", "/proc/sys/net/core/wmem_default").start();
        long bytes = Long.parseLong(new String(cat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip());
        assertThat(cat.waitFor()).isZero();
        assertThat(SwitchQueue.sendBuffer()).isEqualTo(bytes);
        assertThat(SwitchQueue.FRAMES).isEqualTo(SwitchQueue.frames(bytes));
    }

    @Test
    void aVdePortReportsItsSwitchQueueAndATapLikePortNoBound() {
        assertThat(SwitchQueue.FRAMES).isPositive().isLessThan(Integer.MAX_VALUE);
        assertThat(new NullPort("null").ingressQueueFrames()).isEqualTo(Integer.MAX_VALUE);
    }
}
