package org.jioth.linux.netlink;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import org.jioth.linux.NativeSupport;

/**
 * The libc calls a netlink socket needs, each capturing errno (pass a call-state segment first).
 * size_t/ssize_t are 64-bit on the 64-bit Linux targets jioth supports.
 */
final class NetlinkLibc {
    private NetlinkLibc() {
    }

    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVTIMEO = 20;
    static final int MSG_PEEK = 0x2;
    static final int MSG_TRUNC = 0x20;
    static final int EINTR = 4;

    /** int socket(int domain, int type, int protocol) */
    static final MethodHandle SOCKET = NativeSupport.downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    /** int bind(int fd, const struct sockaddr *addr, socklen_t len) */
    static final MethodHandle BIND = NativeSupport.downcall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    /** int setsockopt(int fd, int level, int name, const void *value, socklen_t len) */
    static final MethodHandle SETSOCKOPT = NativeSupport.downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    /** ssize_t send(int fd, const void *buf, size_t len, int flags) */
    static final MethodHandle SEND = NativeSupport.downcall("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    /** ssize_t recv(int fd, void *buf, size_t len, int flags) */
    static final MethodHandle RECV = NativeSupport.downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    /** int close(int fd) */
    static final MethodHandle CLOSE = NativeSupport.downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
}
