package org.jioth.linux;

import java.io.IOException;
import org.jioth.Errno;

/** A libc call failed; carries the errno number and names it in the message. */
public class ErrnoException extends IOException {
    private final int errno;

    public ErrnoException(String call, int errno) {
        this(call, errno, null);
    }

    public ErrnoException(String call, int errno, String detail) {
        super(call + ": " + Errno.nameOf(errno) + describe(errno) + (detail == null ? "" : ": " + detail));
        this.errno = errno;
    }

    private static String describe(int errno) {
        Errno e = Errno.of(errno);
        return e == null ? "" : " (" + e.description() + ")";
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.nameOf(errno);
    }
}
