package org.jioth.linux.unix;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Issue 11: no Throwable stops a reactor thread, so no other port on it goes deaf. */
class ReactorFailureTest {
    /** An error whose description cannot be made: every way of printing it runs out of memory. */
    static final class Unprintable extends Error {
        Unprintable() {
            super(null, null, false, false);
        }

        @Override
        public String getMessage() {
            throw new OutOfMemoryError("simulated: no memory to describe the failure");
        }

        @Override
        public String getLocalizedMessage() {
            return getMessage();
        }

        @Override
        public String toString() {
            return getMessage();
        }

        @Override
        public void printStackTrace(PrintStream s) {
            getMessage();
        }

        @Override
        public void printStackTrace(PrintWriter s) {
            getMessage();
        }

        @Override
        public StackTraceElement[] getStackTrace() {
            throw new OutOfMemoryError("simulated");
        }
    }

    @Test
    void aHandlerWhoseFailureCannotEvenBeLoggedStopsNothingElse() throws Exception {
        Reactor reactor = new Reactor("test-reactor-failure");
        UnixSocket[] bad = UnixSocket.pair(UnixSocket.Type.DATAGRAM);
        UnixSocket[] good = UnixSocket.pair(UnixSocket.Type.DATAGRAM);
        try {
            CountDownLatch failedOnce = new CountDownLatch(1);
            reactor.register(bad[1].fd(), Epoll.IN, ev -> {
                failedOnce.countDown();
                throw new Unprintable();
            });
            CountDownLatch got = new CountDownLatch(1);
            reactor.register(good[1].fd(), Epoll.IN, ev -> {
                while (good[1].receive(ByteBuffer.allocate(16)) >= 0) {
                    got.countDown();
                }
            });
            bad[0].send(ByteBuffer.wrap(new byte[] {1}));
            assertThat(failedOnce.await(30, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(200); // let the failure be handled before the next event
            good[0].send(ByteBuffer.wrap(new byte[] {2}));
            assertThat(got.await(30, TimeUnit.SECONDS)).as("the reactor still serves other descriptors").isTrue();
        } finally {
            reactor.close();
            reactor.awaitTermination(Duration.ofSeconds(10));
            for (UnixSocket s : new UnixSocket[] {bad[0], bad[1], good[0], good[1]}) {
                s.close();
            }
        }
    }
}
