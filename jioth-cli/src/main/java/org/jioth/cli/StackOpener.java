package org.jioth.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import org.jioth.Ioth;
import org.jioth.IothStack;

/** Opens the stack the seed programs take as {@code stack [vnl ...]}, reporting failure as the seed's perror. */
final class StackOpener {
    private StackOpener() {
    }

    /** The stack, or null after printing {@code net_setup: …} to {@code err}. */
    static IothStack open(String stack, List<String> vnls, PrintStream err) {
        // The seed programs declare themselves GPL-2.0-or-later so any plug-in's licence allows them.
        Ioth.setLicense("SPDX-License-Identifier: GPL-2.0-or-later");
        try {
            return Ioth.newStack(stack, vnls == null ? List.of() : vnls);
        } catch (IOException | RuntimeException e) {
            err.println("net_setup: " + e.getMessage());
            return null;
        }
    }

    /**
     * 0, or 1 after printing why when the stack failed under the command (its sockets then failed
     * too, which the command took for an ordinary end).
     */
    static int exitCode(org.jioth.IothStack s, String command, PrintStream err) {
        org.jioth.StackHealth h = s.health();
        if (h.state() == org.jioth.StackHealth.State.FAILED) {
            err.println("ioth " + command + ": the stack " + h);
            return 1;
        }
        return 0;
    }
}
