package org.jioth.linux.unix;

/**
 * The layout of {@code struct mmsghdr} and {@code struct iovec} on LP64 Linux, shared by the
 * batch receive and send buffers: a msghdr (56 bytes) followed by the unsigned msg_len, padded
 * to 64 bytes.
 */
final class Mmsghdr {
    static final long SIZE = 64;
    /** msghdr.msg_iov */
    static final long MSG_IOV = 16;
    /** msghdr.msg_iovlen */
    static final long MSG_IOVLEN = 24;
    /** mmsghdr.msg_len */
    static final long MSG_LEN = 56;
    static final long IOV_SIZE = 16;

    private Mmsghdr() {
    }
}
