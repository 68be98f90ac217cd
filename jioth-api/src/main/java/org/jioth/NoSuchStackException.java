package org.jioth;

import java.io.IOException;

/** No plug-in answers to the stack name asked for (libioth's ENOTSUP). */
public class NoSuchStackException extends IOException {
    private final String stack;

    public NoSuchStackException(String stack, String message) {
        super(message);
        this.stack = stack;
    }

    /** The name that was asked for. */
    public String stack() {
        return stack;
    }
}
