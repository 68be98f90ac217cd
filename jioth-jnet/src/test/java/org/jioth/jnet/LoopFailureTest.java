package org.jioth.jnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jioth.StackHealth;
import org.jioth.jnet.loop.Counter;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, no silent deaths: an Error on a stack loop (here a simulated OutOfMemoryError) fails
 * the stack for good, wakes every blocked socket with an IOException naming it, and says so in
 * {@code health()}; a RuntimeException is only counted.
 */
class LoopFailureTest {

    @Test
    void anErrorFailsTheStackAndEveryBlockedSocketHearsWhy() throws Exception {
        try (TestNet net = new TestNet()) {
            TestNet.Connected tcp = net.connected("", "", 7);
            JnetStack a = tcp.a();
            JnetStack b = tcp.b();
            ServerSocketChannel ss = tcp.listener();
            SocketChannel served = tcp.server();
            CompletableFuture<Object> accept = CompletableFuture.supplyAsync(() -> call(ss::accept), r -> Thread.ofVirtual().start(r));
            CompletableFuture<Object> read = CompletableFuture.supplyAsync(() -> call(() -> served.read(ByteBuffer.allocate(10))), r -> Thread.ofVirtual().start(r));
            assertThat(b.health()).isEqualTo(StackHealth.UP);

            b.post(() -> {
                throw new OutOfMemoryError("simulated heap exhaustion");
            });

            for (CompletableFuture<Object> f : java.util.List.of(accept, read)) {
                assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(IOException.class).hasMessageContaining("simulated heap exhaustion");
            }
            assertThat(b.health().state()).isEqualTo(StackHealth.State.FAILED);
            assertThat(b.health().reason()).contains("simulated heap exhaustion");
            assertThatThrownBy(() -> b.onLoop(() -> 1)).isInstanceOf(IOException.class)
                    .hasMessageContaining("jnet stack failed");
            assertThatThrownBy(() -> served.write(ByteBuffer.allocate(1))).isInstanceOf(IOException.class)
                    .hasMessageContaining("simulated heap exhaustion");
            assertThat(a.health().isAlive()).isTrue();
            b.close(); // still closes its ports
            assertThat(b.health().state()).isEqualTo(StackHealth.State.FAILED);
        }
    }

    @Test
    void aRuntimeExceptionIsCountedAndTheStackGoesOn() throws Exception {
        try (TestNet net = new TestNet()) {
            JnetStack a = net.stack("", net.newSwitch(), "192.168.250.1/24");
            a.post(() -> {
                throw new IllegalStateException("a bug in one task");
            });
            assertThat(a.onLoop(() -> 42)).isEqualTo(42);
            assertThat(a.counter(Counter.LOOP_ERRORS)).isEqualTo(1);
            assertThat(a.health().isAlive()).isTrue();
        }
    }

    interface IoCall {
        Object run() throws IOException;
    }

    static Object call(IoCall c) {
        try {
            return c.run();
        } catch (IOException e) {
            throw new java.util.concurrent.CompletionException(e);
        }
    }
}
