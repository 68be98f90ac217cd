package org.jioth.run;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import org.jioth.IothStack;

/**
 * The Java agent of {@code ioth run} ({@code -javaagent:jioth-run.jar}): before the program's
 * {@code main} it makes the JVM-wide stack, so a stack that cannot be made (a bad VNL, a switch
 * that is not there, a bad {@code --conf}) stops the JVM with the reason and exit status
 * {@value #STACK_FAILED} before the program starts, then it sends {@code java.net.Socket} and
 * {@code ServerSocket} through the stack ({@link JavaNetSockets}).
 */
public final class RunAgent {
    /** The exit status when the stack cannot be made (as {@code env}, 125: the launcher's own failure). */
    public static final int STACK_FAILED = 125;

    private RunAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        IothStack stack;
        try {
            stack = JvmStack.get();
            JavaNetSockets.install(stack.provider());
        } catch (IllegalStateException | IOException e) {
            System.err.println("ioth run: " + e.getMessage());
            System.err.flush();
            System.exit(STACK_FAILED);
            return;
        }
        if (args != null && args.contains("verbose")) {
            System.err.println("ioth run: stack " + JvmStack.settings() + " ready");
        }
    }
}
