package org.jioth.nio;

import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Selector semantics frameworks rely on, each scenario run on the JDK's own pipe and selector (the
 * oracle) and on the in-memory pipe with {@link ReadinessSelector}: both must behave the same.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SelectorSemanticsTest {
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable r : resources.reversed()) {
            r.close();
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    private Pipe pipe(PipeKind kind) throws IOException {
        Pipe p = kind.openPipe();
        track(p.source());
        track(p.sink());
        p.source().configureBlocking(false);
        p.sink().configureBlocking(false);
        return p;
    }

    private Selector selector(PipeKind kind) throws IOException {
        return track(kind.openSelector());
    }

    private static void write(Pipe p, int bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(bytes);
        while (b.hasRemaining()) {
            assertThat(p.sink().write(b)).isPositive();
        }
    }

    /** Writes until the sink's buffer is full (a non-blocking write returns 0). */
    private static long fill(Pipe p) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096);
        long total = 0;
        while (true) {
            b.clear();
            int n = p.sink().write(b);
            if (n == 0) {
                return total;
            }
            total += n;
        }
    }

    private static long drain(Pipe p) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096);
        long total = 0;
        int n;
        while ((n = p.source().read(b.clear())) > 0) {
            total += n;
        }
        return total;
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void keyWithEmptyInterestIsNeverSelected(PipeKind kind) throws IOException {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        write(p, 10);
        SelectionKey key = p.source().register(sel, 0);

        assertThat(sel.selectNow()).isZero();
        assertThat(sel.select(20)).isZero();
        assertThat(sel.selectNow(k -> { throw new AssertionError("selected " + k); })).isZero();
        assertThat(sel.selectedKeys()).isEmpty();
        assertThat(key.readyOps()).isZero();
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void selectCountsKeysWhoseReadySetWasUpdated(PipeKind kind) throws IOException {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        write(p, 10);
        SelectionKey readKey = p.source().register(sel, OP_READ);
        SelectionKey writeKey = p.sink().register(sel, OP_WRITE);

        assertThat(sel.select()).isEqualTo(2);
        assertThat(sel.selectedKeys()).containsExactlyInAnyOrder(readKey, writeKey);
        assertThat(readKey.readyOps()).isEqualTo(OP_READ);
        assertThat(writeKey.readyOps()).isEqualTo(OP_WRITE);

        // Still ready, already selected, nothing new: not counted again, but select does not block.
        assertThat(sel.select()).isZero();
        assertThat(sel.selectNow()).isZero();
        assertThat(sel.selectedKeys()).hasSize(2);

        sel.selectedKeys().remove(readKey);
        assertThat(sel.selectNow()).isEqualTo(1);
        assertThat(sel.selectedKeys()).containsExactlyInAnyOrder(readKey, writeKey);
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void selectionIsLevelTriggeredUntilTheDataIsRead(PipeKind kind) throws IOException {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        SelectionKey key = p.source().register(sel, OP_READ);
        assertThat(sel.selectNow()).isZero();

        write(p, 100);
        for (int i = 0; i < 3; i++) {
            assertThat(sel.select(TimeUnit.SECONDS.toMillis(10))).isEqualTo(1);
            assertThat(sel.selectedKeys()).containsExactly(key);
            sel.selectedKeys().clear();
        }
        assertThat(drain(p)).isEqualTo(100);
        assertThat(sel.selectNow()).isZero();
        assertThat(sel.selectedKeys()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void selectWithTimeoutReturnsZeroWhenNothingIsReady(PipeKind kind) throws IOException {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        p.source().register(sel, OP_READ);

        long start = System.nanoTime();
        assertThat(sel.select(100)).isZero();
        assertThat(System.nanoTime() - start).as("waited the timeout").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(sel.select(k -> { }, 1)).isZero();
        assertThatThrownBy(() -> sel.select(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void blockedSelectReturnsWhenDataArrives(PipeKind kind) throws Exception {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        SelectionKey key = p.source().register(sel, OP_READ);

        try (var selecting = TestThreads.start(() -> sel.select(TimeUnit.SECONDS.toMillis(30)))) {
            TestThreads.awaitBlockedIn(selecting.thread, "doSelect");
            write(p, 1);
            assertThat(selecting.join()).isEqualTo(1);
        }
        assertThat(sel.selectedKeys()).containsExactly(key);
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void sinkIsNotWritableWhileFullAndSelectWaitsForSpace(PipeKind kind) throws Exception {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        long filled = fill(p);
        assertThat(filled).isPositive();
        SelectionKey key = p.sink().register(sel, OP_WRITE);
        assertThat(sel.selectNow()).isZero();

        try (var selecting = TestThreads.start(() -> sel.select())) {
            TestThreads.awaitBlockedIn(selecting.thread, "doSelect");
            assertThat(drain(p)).isEqualTo(filled);
            assertThat(selecting.join()).isEqualTo(1);
        }
        assertThat(key.readyOps()).isEqualTo(OP_WRITE);
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void selectWithActionUsesNoSelectedKeySet(PipeKind kind) throws IOException {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        write(p, 10);
        SelectionKey readKey = p.source().register(sel, OP_READ);
        SelectionKey writeKey = p.sink().register(sel, OP_WRITE);
        assertThat(sel.selectNow()).isEqualTo(2);
        sel.selectedKeys().remove(writeKey);

        List<SelectionKey> seen = new ArrayList<>();
        assertThat(sel.select(seen::add)).isEqualTo(2);
        assertThat(seen).containsExactlyInAnyOrder(readKey, writeKey);
        assertThat(sel.selectedKeys()).containsExactly(readKey);

        // Unlike the selected-key set, every ready key is reported again each time.
        seen.clear();
        assertThat(sel.selectNow(seen::add)).isEqualTo(2);
        assertThat(seen).containsExactlyInAnyOrder(readKey, writeKey);
        seen.clear();
        assertThat(sel.select(seen::add, 1000)).isEqualTo(2);
        assertThat(seen).hasSize(2);

        drain(p);
        seen.clear();
        assertThat(sel.selectNow(seen::add)).isEqualTo(1);
        assertThat(seen).containsExactly(writeKey);
        assertThatThrownBy(() -> sel.selectNow(null)).isInstanceOf(NullPointerException.class);
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void actionThatSelectsAgainOrClosesTheSelector(PipeKind kind) throws IOException {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        p.sink().register(sel, OP_WRITE);

        assertThatThrownBy(() -> sel.selectNow(k -> {
            try {
                sel.selectNow();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        })).isInstanceOf(IllegalStateException.class);

        assertThatThrownBy(() -> sel.selectNow(k -> {
            try {
                sel.close();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        })).isInstanceOf(ClosedSelectorException.class);
        assertThat(sel.isOpen()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void wakeupBeforeSelectIsStickyAndCoalesces(PipeKind kind) throws IOException {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        p.source().register(sel, OP_READ);

        sel.wakeup();
        sel.wakeup();
        sel.wakeup();
        assertThat(sel.select()).isZero(); // returns at once: it would block forever otherwise
        long start = System.nanoTime();
        assertThat(sel.select(100)).isZero(); // the three wakeups were one
        assertThat(System.nanoTime() - start).as("second select waited").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));

        sel.wakeup();
        assertThat(sel.selectNow()).isZero(); // consumes the wakeup
        start = System.nanoTime();
        assertThat(sel.select(100)).isZero();
        assertThat(System.nanoTime() - start).as("select after selectNow waited").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));

        sel.wakeup();
        assertThat(sel.select(k -> { })).isZero(); // the action variants honour it too
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void wakeupReleasesABlockedSelect(PipeKind kind) throws Exception {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        p.source().register(sel, OP_READ);

        try (var selecting = TestThreads.start(() -> sel.select())) {
            TestThreads.awaitBlockedIn(selecting.thread, "doSelect");
            sel.wakeup();
            assertThat(selecting.join()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void cancelledKeyIsDeregisteredByTheNextSelect(PipeKind kind) throws IOException {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        write(p, 1);
        SelectionKey key = p.source().register(sel, OP_READ);
        assertThat(sel.selectNow()).isEqualTo(1);

        key.cancel();
        assertThat(key.isValid()).isFalse();
        assertThat(p.source().isRegistered()).isTrue();
        assertThat(sel.keys()).contains(key);
        assertThat(sel.selectedKeys()).contains(key);
        assertThatThrownBy(key::readyOps).isInstanceOf(CancelledKeyException.class);
        assertThatThrownBy(key::interestOps).isInstanceOf(CancelledKeyException.class);
        assertThatThrownBy(() -> key.interestOps(OP_READ)).isInstanceOf(CancelledKeyException.class);
        // Registering again before the deregistration finds the cancelled key.
        assertThatThrownBy(() -> p.source().register(sel, OP_READ)).isInstanceOf(CancelledKeyException.class);

        assertThat(sel.selectNow()).isZero();
        assertThat(sel.keys()).isEmpty();
        assertThat(sel.selectedKeys()).isEmpty();
        assertThat(p.source().isRegistered()).isFalse();
        assertThat(p.source().keyFor(sel)).isNull();

        SelectionKey again = p.source().register(sel, OP_READ);
        assertThat(again).isNotSameAs(key);
        assertThat(sel.selectNow()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void closingAChannelCancelsItsKeys(PipeKind kind) throws IOException {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        Selector other = selector(kind);
        SelectionKey key = p.source().register(sel, OP_READ);
        SelectionKey otherKey = p.source().register(other, OP_READ);

        p.source().close();
        assertThat(key.isValid()).isFalse();
        assertThat(otherKey.isValid()).isFalse();
        assertThat(sel.selectNow()).isZero();
        assertThat(sel.keys()).isEmpty();
        assertThat(other.selectNow()).isZero();
        assertThat(p.source().isRegistered()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void closingTheSelectorReleasesABlockedSelectAndInvalidatesKeys(PipeKind kind) throws Exception {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        SelectionKey key = p.source().register(sel, OP_READ);

        try (var selecting = TestThreads.start(() -> sel.select())) {
            TestThreads.awaitBlockedIn(selecting.thread, "doSelect");
            sel.close();
            assertThat(selecting.join()).isZero();
        }
        assertThat(key.isValid()).isFalse();
        assertThat(p.source().isRegistered()).isFalse();
        assertThat(p.source().isOpen()).isTrue();
        assertThatThrownBy(sel::keys).isInstanceOf(ClosedSelectorException.class);
        assertThatThrownBy(sel::selectedKeys).isInstanceOf(ClosedSelectorException.class);
        assertThatThrownBy(sel::selectNow).isInstanceOf(ClosedSelectorException.class);
        assertThatThrownBy(() -> p.sink().register(sel, OP_WRITE)).isInstanceOf(ClosedSelectorException.class);
        sel.close(); // idempotent
        sel.wakeup(); // harmless
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void keySetIsUnmodifiableAndSelectedKeySetIsUngrowable(PipeKind kind) throws IOException {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        SelectionKey key = p.sink().register(sel, OP_WRITE);
        assertThat(sel.selectNow()).isEqualTo(1);

        assertThatThrownBy(() -> sel.keys().add(key)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> sel.keys().remove(key)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> sel.keys().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> sel.selectedKeys().add(key)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> sel.selectedKeys().addAll(List.of(key))).isInstanceOf(UnsupportedOperationException.class);

        Iterator<SelectionKey> it = sel.selectedKeys().iterator();
        assertThat(it.next()).isSameAs(key);
        it.remove();
        assertThat(sel.selectedKeys()).isEmpty();
        assertThat(sel.keys()).containsExactly(key);
        assertThat(sel.selectNow()).isEqualTo(1);
        assertThat(sel.selectedKeys().remove(key)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void interestChangedWhileAnotherThreadSelectsIsSeenAfterWakeup(PipeKind kind) throws Exception {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        write(p, 1);
        SelectionKey key = p.source().register(sel, 0);

        int counted;
        try (var selecting = TestThreads.start(() -> sel.select())) {
            TestThreads.awaitBlockedIn(selecting.thread, "doSelect");
            key.interestOps(OP_READ);
            sel.wakeup();
            counted = selecting.join();
        }
        counted += sel.selectNow();
        assertThat(counted).isEqualTo(1);
        assertThat(sel.selectedKeys()).containsExactly(key);
        assertThat(key.readyOps()).isEqualTo(OP_READ);
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void interestOpsValidationAndAtomicUpdates(PipeKind kind) throws IOException {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        SelectionKey key = p.source().register(sel, OP_READ);

        assertThatThrownBy(() -> key.interestOps(OP_WRITE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.source().register(sel, OP_WRITE)).isInstanceOf(IllegalArgumentException.class);
        assertThat(key.interestOpsAnd(0)).isEqualTo(OP_READ);
        assertThat(key.interestOps()).isZero();
        assertThat(key.interestOpsOr(OP_READ)).isZero();
        assertThat(key.interestOps()).isEqualTo(OP_READ);
        assertThat(p.source().register(sel, 0, "attached")).isSameAs(key);
        assertThat(key.interestOps()).isZero();
        assertThat(key.attachment()).isEqualTo("attached");
        assertThat(key.channel()).isSameAs(p.source());
        assertThat(key.selector()).isSameAs(sel);
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void blockingChannelsCannotRegisterAndRegisteredChannelsCannotBlock(PipeKind kind) throws IOException {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        p.source().configureBlocking(true);
        assertThatThrownBy(() -> p.source().register(sel, OP_READ)).isInstanceOf(IllegalBlockingModeException.class);

        p.sink().register(sel, OP_WRITE);
        assertThatThrownBy(() -> p.sink().configureBlocking(true)).isInstanceOf(IllegalBlockingModeException.class);
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void registeringWhileAnotherThreadSelectsDoesNotWaitForIt(PipeKind kind) throws Exception {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        p.source().register(sel, OP_READ);

        try (var selecting = TestThreads.start(() -> sel.select())) {
            TestThreads.awaitBlockedIn(selecting.thread, "doSelect");
            try (var registering = TestThreads.start(() -> p.sink().register(sel, OP_WRITE))) {
                SelectionKey key = registering.join(); // would time out if register waited for select
                assertThat(sel.keys()).contains(key);
            }
            sel.wakeup();
            selecting.join();
        }
        sel.selectNow();
        assertThat(sel.selectedKeys()).extracting(SelectionKey::channel).containsExactly(p.sink());
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void interruptReleasesABlockedSelectAndStaysSet(PipeKind kind) throws Exception {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        p.source().register(sel, OP_READ);

        try (var selecting = TestThreads.start(() -> {
            int n = sel.select();
            return new int[] {n, Thread.currentThread().isInterrupted() ? 1 : 0};
        })) {
            TestThreads.awaitBlockedIn(selecting.thread, "doSelect");
            selecting.thread.interrupt();
            assertThat(selecting.join()).containsExactly(0, 1);
        }
        assertThat(sel.isOpen()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void selectOnAnInterruptedThreadReturnsAtOnce(PipeKind kind) throws Exception {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        p.source().register(sel, OP_READ);

        try (var selecting = TestThreads.start(() -> {
            Thread.currentThread().interrupt();
            int n = sel.select();
            return Thread.interrupted() ? n : -1;
        })) {
            assertThat(selecting.join()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void endOfStreamAndBrokenPipe(PipeKind kind) throws IOException {
        Pipe p = pipe(kind);
        Selector sel = selector(kind);
        SelectionKey key = p.source().register(sel, OP_READ);
        write(p, 3);
        p.sink().close();

        assertThat(sel.selectNow()).isEqualTo(1);
        assertThat(p.source().read(ByteBuffer.allocate(10))).isEqualTo(3);
        assertThat(p.source().read(ByteBuffer.allocate(10))).isEqualTo(-1);
        sel.selectedKeys().clear();
        assertThat(sel.selectNow()).as("end of stream is readable").isEqualTo(1);
        assertThat(key.readyOps()).isEqualTo(OP_READ);

        Pipe q = pipe(kind);
        q.source().close();
        assertThatThrownBy(() -> q.sink().write(ByteBuffer.allocate(1))).isInstanceOf(IOException.class)
                .hasMessageContaining("Broken pipe");
    }

    @ParameterizedTest
    @EnumSource(PipeKind.class)
    void scatteringAndGatheringKeepByteOrder(PipeKind kind) throws IOException {
        Pipe p = pipe(kind);
        ByteBuffer[] out = {ByteBuffer.wrap(new byte[] {1, 2, 3}), ByteBuffer.wrap(new byte[] {4, 5})};
        assertThat(p.sink().write(out)).isEqualTo(5);
        ByteBuffer[] in = {ByteBuffer.allocate(2), ByteBuffer.allocate(10)};
        assertThat(p.source().read(in)).isEqualTo(5);
        assertThat(in[0].array()).containsExactly(1, 2);
        assertThat(in[1].flip().remaining()).isEqualTo(3);
        assertThat(new byte[] {in[1].get(), in[1].get(), in[1].get()}).containsExactly(3, 4, 5);
        assertThat(p.source().read(ByteBuffer.allocate(1))).isZero();
    }
}
