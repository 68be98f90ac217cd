package org.jioth.nio;

import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jioth.nio.TestThreads.Kind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Blocking-mode pipe operations on platform and virtual threads, the JDK's pipe as the oracle;
 * and {@link Readiness#await} used directly, without the channel's begin()/end().
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockingPipeTest {
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable r : resources.reversed()) {
            r.close();
        }
    }

    static Stream<Arguments> pipesAndThreads() {
        return Stream.of(PipeKind.values())
                .flatMap(p -> Stream.of(Kind.values()).map(t -> Arguments.of(p, t)));
    }

    private Pipe pipe(PipeKind kind) throws IOException {
        Pipe p = kind.openPipe();
        resources.add(p.source());
        resources.add(p.sink());
        return p;
    }

    private <T> TestThreads.Running<T> start(Kind kind, java.util.concurrent.Callable<T> task) {
        TestThreads.Running<T> running = TestThreads.start(kind, task);
        resources.add(running);
        return running;
    }

    @ParameterizedTest
    @MethodSource("pipesAndThreads")
    void blockedReadGetsTheBytesWrittenLater(PipeKind pipeKind, Kind threadKind) throws Exception {
        Pipe p = pipe(pipeKind);
        var reading = start(threadKind, () -> p.source().read(ByteBuffer.allocate(10)));
        TestThreads.awaitBlockedIn(reading.thread, "read");
        assertThat(p.sink().write(ByteBuffer.wrap(new byte[] {7, 8, 9}))).isEqualTo(3);
        assertThat(reading.join()).isEqualTo(3);
    }

    @ParameterizedTest
    @MethodSource("pipesAndThreads")
    void blockedReadEndsWithAsynchronousCloseWhenClosed(PipeKind pipeKind, Kind threadKind) throws Exception {
        Pipe p = pipe(pipeKind);
        var reading = start(threadKind, () -> p.source().read(ByteBuffer.allocate(10)));
        TestThreads.awaitBlockedIn(reading.thread, "read");
        p.source().close();
        assertThat(reading.joinFailure()).isExactlyInstanceOf(AsynchronousCloseException.class);
        assertThatThrownBy(() -> p.source().read(ByteBuffer.allocate(1))).isInstanceOf(ClosedChannelException.class);
    }

    @ParameterizedTest
    @MethodSource("pipesAndThreads")
    void blockedReadSeesEndOfStreamWhenTheSinkCloses(PipeKind pipeKind, Kind threadKind) throws Exception {
        Pipe p = pipe(pipeKind);
        var reading = start(threadKind, () -> p.source().read(ByteBuffer.allocate(10)));
        TestThreads.awaitBlockedIn(reading.thread, "read");
        p.sink().close();
        assertThat(reading.join()).isEqualTo(-1);
    }

    @ParameterizedTest
    @MethodSource("pipesAndThreads")
    void interruptClosesTheChannelOfABlockedRead(PipeKind pipeKind, Kind threadKind) throws Exception {
        Pipe p = pipe(pipeKind);
        var reading = start(threadKind, () -> {
            try {
                return p.source().read(ByteBuffer.allocate(10));
            } catch (ClosedByInterruptException e) {
                assertThat(Thread.currentThread().isInterrupted()).as("interrupt status kept").isTrue();
                throw e;
            }
        });
        TestThreads.awaitBlockedIn(reading.thread, "read");
        reading.thread.interrupt();
        assertThat(reading.joinFailure()).isExactlyInstanceOf(ClosedByInterruptException.class);
        assertThat(p.source().isOpen()).isFalse();
    }

    @ParameterizedTest
    @MethodSource("pipesAndThreads")
    void readOnAnInterruptedThreadClosesTheChannel(PipeKind pipeKind, Kind threadKind) throws Exception {
        Pipe p = pipe(pipeKind);
        var reading = start(threadKind, () -> {
            Thread.currentThread().interrupt();
            return p.source().read(ByteBuffer.allocate(10));
        });
        assertThat(reading.joinFailure()).isExactlyInstanceOf(ClosedByInterruptException.class);
        assertThat(p.source().isOpen()).isFalse();
    }

    /** Fills the sink's buffer with non-blocking writes, then puts the sink back in blocking mode. */
    private static long fill(Pipe p) throws IOException {
        p.sink().configureBlocking(false);
        ByteBuffer b = ByteBuffer.allocate(4096);
        long total = 0;
        int n;
        while ((n = p.sink().write(b.clear())) > 0) {
            total += n;
        }
        p.sink().configureBlocking(true);
        return total;
    }

    private static long drain(Pipe p, long bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8192);
        long read = 0;
        while (read < bytes) {
            read += p.source().read(b.clear().limit((int) Math.min(b.capacity(), bytes - read)));
        }
        return read;
    }

    @ParameterizedTest
    @MethodSource("pipesAndThreads")
    void blockedWriteWaitsForSpace(PipeKind pipeKind, Kind threadKind) throws Exception {
        Pipe p = pipe(pipeKind);
        long filled = fill(p);
        var writing = start(threadKind, () -> p.sink().write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
        TestThreads.awaitBlockedIn(writing.thread, "write");
        assertThat(drain(p, filled)).isEqualTo(filled);
        assertThat(writing.join()).isEqualTo(3);
        assertThat(drain(p, 3)).isEqualTo(3);
    }

    @ParameterizedTest
    @MethodSource("pipesAndThreads")
    void blockedWriteEndsWithAsynchronousCloseWhenClosed(PipeKind pipeKind, Kind threadKind) throws Exception {
        Pipe p = pipe(pipeKind);
        fill(p);
        var writing = start(threadKind, () -> p.sink().write(ByteBuffer.allocate(10)));
        TestThreads.awaitBlockedIn(writing.thread, "write");
        p.sink().close();
        assertThat(writing.joinFailure()).isExactlyInstanceOf(AsynchronousCloseException.class);
    }

    @ParameterizedTest
    @MethodSource("pipesAndThreads")
    void blockedWriteFailsWhenTheSourceCloses(PipeKind pipeKind, Kind threadKind) throws Exception {
        Pipe p = pipe(pipeKind);
        fill(p);
        var writing = start(threadKind, () -> p.sink().write(ByteBuffer.allocate(10)));
        TestThreads.awaitBlockedIn(writing.thread, "write");
        p.source().close();
        assertThat(writing.joinFailure()).isInstanceOf(IOException.class).hasMessageContaining("Broken pipe");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Kind.class)
    void blockingWriteLargerThanTheBufferReturnsOnlyWhenAllIsWritten(Kind threadKind) throws Exception {
        // The WritableByteChannel contract. (The JDK's own pipe returns a partial count on a
        // virtual thread, so this is checked on the in-memory pipe only.)
        Pipe p = new TestReadinessProvider().openPipe(1000);
        resources.add(p.source());
        resources.add(p.sink());
        int size = 100_000;
        var writing = start(threadKind, () -> p.sink().write(ByteBuffer.allocate(size)));
        assertThat(drain(p, size)).isEqualTo(size);
        assertThat(writing.join()).isEqualTo(size);
    }

    // Readiness.await on its own: what a channel gets without begin()/end() around it.

    private Pipe memoryPipe() throws IOException {
        Pipe p = new TestReadinessProvider().openPipe(16);
        resources.add(p.source());
        resources.add(p.sink());
        return p;
    }

    private static Readiness readiness(Pipe.SourceChannel source) {
        return ((ReadinessSource) source).readiness();
    }

    @Test
    void awaitTimesOutWhenNothingBecomesReady() throws IOException {
        Pipe p = memoryPipe();
        Readiness r = readiness(p.source());
        assertThat(r.await(OP_READ, 0)).isFalse();
        assertThat(r.await(OP_READ, TimeUnit.MILLISECONDS.toNanos(20))).isFalse();
        assertThat(r.readyOps()).isZero();
        p.sink().write(ByteBuffer.allocate(1));
        assertThat(r.readyOps()).isEqualTo(OP_READ);
        assertThat(r.await(OP_READ, 0)).isTrue();
        assertThat(r.await(OP_READ | OP_WRITE, TimeUnit.SECONDS.toNanos(60))).isTrue();
        assertThat(r.channel()).isSameAs(p.source());
    }

    @Test
    void awaitOnAClosedChannelFails() throws IOException {
        Pipe p = memoryPipe();
        p.source().close();
        assertThatThrownBy(() -> readiness(p.source()).await(OP_READ)).isInstanceOf(ClosedChannelException.class);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Kind.class)
    void awaitParksUntilReadyWithinTheTimeout(Kind threadKind) throws Exception {
        Pipe p = memoryPipe();
        var waiting = start(threadKind, () -> readiness(p.source()).await(OP_READ, TimeUnit.SECONDS.toNanos(30)));
        TestThreads.awaitBlockedIn(waiting.thread, "await");
        assertThat(waiting.thread.getState()).isEqualTo(Thread.State.TIMED_WAITING);
        p.sink().write(ByteBuffer.allocate(1));
        assertThat(waiting.join()).isTrue();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Kind.class)
    void awaitEndsWithAsynchronousCloseWhenTheChannelCloses(Kind threadKind) throws Exception {
        Pipe p = memoryPipe();
        var waiting = start(threadKind, () -> {
            readiness(p.source()).await(OP_READ);
            return null;
        });
        TestThreads.awaitBlockedIn(waiting.thread, "await");
        p.source().close();
        assertThat(waiting.joinFailure()).isExactlyInstanceOf(AsynchronousCloseException.class);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Kind.class)
    void interruptedAwaitClosesTheChannelItself(Kind threadKind) throws Exception {
        Pipe p = memoryPipe();
        var waiting = start(threadKind, () -> {
            try {
                return readiness(p.source()).await(OP_READ, TimeUnit.SECONDS.toNanos(30));
            } catch (ClosedByInterruptException e) {
                assertThat(Thread.currentThread().isInterrupted()).as("interrupt status kept").isTrue();
                throw e;
            }
        });
        TestThreads.awaitBlockedIn(waiting.thread, "await");
        waiting.thread.interrupt();
        assertThat(waiting.joinFailure()).isExactlyInstanceOf(ClosedByInterruptException.class);
        assertThat(p.source().isOpen()).isFalse();
    }

    @Test
    void awaitingVirtualThreadsDoNotHoldTheirCarriers() throws Exception {
        // More parked virtual threads than carriers: if await pinned, the writer could not run.
        Pipe p = memoryPipe();
        int waiters = Runtime.getRuntime().availableProcessors() * 4;
        List<TestThreads.Running<Boolean>> waiting = new ArrayList<>();
        for (int i = 0; i < waiters; i++) {
            waiting.add(start(Kind.VIRTUAL, () -> readiness(p.source()).await(OP_READ, TimeUnit.SECONDS.toNanos(30))));
        }
        for (var w : waiting) {
            TestThreads.awaitBlockedIn(w.thread, "await");
        }
        var writer = start(Kind.VIRTUAL, () -> p.sink().write(ByteBuffer.allocate(1)));
        assertThat(writer.join()).isEqualTo(1);
        for (var w : waiting) {
            assertThat(w.join()).isTrue();
        }
    }
}
