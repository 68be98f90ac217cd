package org.jioth;

import java.io.IOException;

/**
 * A netlink-style configuration call failed. {@link #errno()} is the Linux errno name the netlink
 * reply carried (for example {@code "EEXIST"}), {@link #errnoValue()} its number.
 */
public class NetConfigException extends IOException {
    private final int errnoValue;

    public NetConfigException(String operation, Errno errno) {
        this(operation, errno.value(), null);
    }

    public NetConfigException(String operation, Errno errno, String detail) {
        this(operation, errno.value(), detail);
    }

    /** {@code errnoValue} may be one {@link Errno} does not list; its name is then "errno N". */
    public NetConfigException(String operation, int errnoValue, String detail) {
        super(operation + ": " + Errno.nameOf(errnoValue) + describe(errnoValue)
                + (detail == null ? "" : ": " + detail));
        this.errnoValue = errnoValue;
    }

    private static String describe(int errnoValue) {
        Errno e = Errno.of(errnoValue);
        return e == null ? "" : " (" + e.description() + ")";
    }

    /** The errno name, for example {@code "ENODEV"}. */
    public String errno() {
        return Errno.nameOf(errnoValue);
    }

    /** The Linux errno number, for example 19 for ENODEV. */
    public int errnoValue() {
        return errnoValue;
    }
}
