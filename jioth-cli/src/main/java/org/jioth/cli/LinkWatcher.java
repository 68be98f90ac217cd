package org.jioth.cli;

import java.io.PrintStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jioth.IothStack;

/**
 * Prints one line when a link of the stack goes down (its switch went away) and one when it comes
 * back, for the seed programs. It looks at {@link IothStack#health()} four times a second on a
 * virtual thread, which ends with the program.
 */
final class LinkWatcher {
    private static final long PERIOD_MILLIS = 250;

    private LinkWatcher() {
    }

    static void start(IothStack s, String command, PrintStream err) {
        Thread.ofVirtual().name("ioth-link-watch").start(() -> {
            Set<String> down = new HashSet<>();
            while (!s.isClosed()) {
                List<String> now = s.health().linksDown();
                for (String l : now) {
                    if (down.add(l)) {
                        err.println("ioth " + command + ": link " + l + " down (its switch is gone; reconnecting)");
                    }
                }
                for (String l : List.copyOf(down)) {
                    if (!now.contains(l)) {
                        down.remove(l);
                        err.println("ioth " + command + ": link " + l + " up again");
                    }
                }
                try {
                    Thread.sleep(PERIOD_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }
}
