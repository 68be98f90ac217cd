package org.jioth.jnet;

import java.util.Optional;
import org.jioth.jnet.loop.StackLoop;
import org.jioth.vde.DirectReceive;
import org.jioth.vde.EthernetPort;

/**
 * Which thread a stack loop runs on. A stack with exactly one port that can be read directly
 * ({@code vde://}) gets a platform thread that reads and waits on that port itself: no reactor
 * hand-off per received frame. Every other stack (in-JVM ports, several ports, none) gets a virtual
 * thread that parks, so ten thousand of them cost no platform threads.
 * {@code -Djioth.jnet.loopReadsPort=false} turns the first off (for comparisons).
 */
final class LoopThreads {
    static final boolean READS_PORT = !"false".equals(System.getProperty("jioth.jnet.loopReadsPort"));

    private LoopThreads() {
    }

    /** Starts {@code loop}; {@code onlyPort} is the stack's one port, or null when it has none or several. */
    static void start(StackLoop loop, String name, StackLoop.FrameHandler frames, EthernetPort onlyPort) {
        Optional<DirectReceive> direct = READS_PORT && onlyPort != null ? onlyPort.directReceive() : Optional.empty();
        if (direct.isPresent()) {
            loop.start(name, frames, direct.get());
        } else {
            loop.start(name, frames);
        }
    }
}
