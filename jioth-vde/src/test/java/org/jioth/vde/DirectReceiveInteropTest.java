package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jioth.vde.VdeTools.waitUntil;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jioth.vde.Frames.Recorder;
import org.jioth.vde.VdeTools.VdePlug;
import org.jioth.vde.VdeTools.VdeSwitch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code vde://} port read by its owner's thread ({@link EthernetPort#directReceive()}) on Debian's
 * vde_switch: frames wait in the socket until the owner polls, a wake-up ends a wait, closing hands
 * the port back to the reactor.
 */
class DirectReceiveInteropTest {
    @TempDir
    Path base;

    private static String print(VdeSwitch sw) {
        try {
            return sw.command("port/print");
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void theOwnerReadsFramesItselfAndTheReactorTakesOverAgainAfterClose() throws Exception {
        try (VdeSwitch sw = new VdeSwitch(base, false);
                EthernetPort port = EthernetPorts.open("vde://" + sw.dir);
                VdePlug plug = new VdePlug("direct-plug", "vde://" + sw.dir)) {
            Recorder rx = new Recorder();
            port.setSink(rx);
            waitUntil("vde_plug on the switch", () -> print(sw).contains("direct-plug"));
            CompletableFuture<Void> done = new CompletableFuture<>();
            DirectReceive[] handle = new DirectReceive[1];
            // the owner: a platform thread, as a stack loop that reads its port is
            Thread owner = Thread.ofPlatform().daemon().start(() -> {
                try (DirectReceive direct = port.directReceive().orElseThrow()) {
                    handle[0] = direct;
                    synchronized (handle) {
                        handle.notifyAll();
                    }
                    byte[] first = VdeClientInteropTest.frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:aa", 100, 1);
                    plug.send(first);
                    direct.await(Long.MAX_VALUE); // returns once the frame waits in the socket
                    assertThat(rx.frames).as("nothing delivered before the owner polls").isEmpty();
                    long deadline = System.nanoTime() + VdeTools.TIMEOUT.toNanos();
                    while (rx.frames.isEmpty() && System.nanoTime() < deadline) {
                        direct.poll();
                    }
                    assertThat(rx.frames).hasSize(1);
                    assertThat(rx.frames.getFirst()).isEqualTo(first);
                    direct.await(Long.MAX_VALUE); // ended by the main thread's wakeUp below
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            });
            synchronized (handle) {
                while (handle[0] == null && !done.isDone()) {
                    handle.wait(100);
                }
            }
            // keep waking until the owner's second wait has ended (a wake-up before it also ends it)
            while (!done.isDone()) {
                handle[0].wakeUp();
                try {
                    done.get(100, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // not yet in its second wait: wake again
                }
            }
            done.get();
            owner.join();
            handle[0].wakeUp(); // after close: does nothing

            byte[] second = VdeClientInteropTest.frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:aa", 200, 2);
            plug.send(second);
            waitUntil("the reactor to deliver again", () -> rx.frames.size() == 2);
            assertThat(rx.frames.get(1)).isEqualTo(second);
        }
    }
}
