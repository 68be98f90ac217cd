package org.jioth;

import java.io.IOException;

/** A stack could not be closed because sockets of it are still open: libioth's EBUSY. */
public class StackBusyException extends IOException {
    private final int openSockets;

    public StackBusyException(String stack, int openSockets) {
        super("stack " + stack + " is busy (EBUSY): " + openSockets + " socket"
                + (openSockets == 1 ? " is" : "s are") + " still open; close them first, or use closeForcibly()");
        this.openSockets = openSockets;
    }

    public int openSockets() {
        return openSockets;
    }

    /** The Linux errno this stands for. */
    public Errno errno() {
        return Errno.EBUSY;
    }
}
