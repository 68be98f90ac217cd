package org.jioth.linux.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import org.jioth.linux.NativeSupport;

/**
 * The libc functions and constants behind AF_UNIX sockets, epoll and eventfd: one handle per
 * function. Calls that move frames on non-blocking sockets are "critical" with heap access, so a
 * frame in a heap {@link java.nio.ByteBuffer} is passed without a copy; they never block.
 */
final class UnixNative {
    static final int AF_UNIX = 1;
    static final int SOCK_STREAM = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_SEQPACKET = 5;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int SHUT_RDWR = 2;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EINPROGRESS = 115;
    static final int ENOSYS = 38;

    static final int EPOLLIN = 0x1;
    static final int EPOLLOUT = 0x4;
    static final int EPOLLERR = 0x8;
    static final int EPOLLHUP = 0x10;
    static final int EPOLLRDHUP = 0x2000;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;
    static final int EPOLL_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;

    /** sizeof(struct sockaddr_un) on Linux. */
    static final int SOCKADDR_UN_SIZE = 110;

    static final MethodHandle SOCKET = NativeSupport.downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle SOCKETPAIR = NativeSupport.downcall("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    static final MethodHandle BIND = NativeSupport.downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle CONNECT = NativeSupport.downcall("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle LISTEN = NativeSupport.downcall("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle ACCEPT4 = NativeSupport.downcall("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    static final MethodHandle GETSOCKNAME = NativeSupport.downcall("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle FCHMOD = NativeSupport.downcall("fchmod", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle GETSOCKOPT = NativeSupport.downcall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle CLOSE = NativeSupport.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    static final MethodHandle SHUTDOWN = NativeSupport.downcall("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** ssize_t sendto(fd, buf, len, flags, addr, addrlen): critical, heap buffers allowed. */
    static final MethodHandle SENDTO = NativeSupport.downcallCriticalHeap("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    /** ssize_t recvfrom(fd, buf, len, flags, addr, addrlen*): critical, heap buffers allowed. */
    static final MethodHandle RECVFROM = NativeSupport.downcallCriticalHeap("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    /*
     * sendmmsg/recvmmsg are only called with MSG_DONTWAIT on native buffers, so they are critical
     * too: besides skipping the thread-state transition, a critical call lets C2 remove the slice
     * of the call-state segment that a non-critical capturing downcall allocates on every call
     * (seen with JFR: one object per recvmmsg on the reactor thread).
     */
    static final MethodHandle SENDMMSG = NativeSupport.downcallCriticalHeap("sendmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    static final MethodHandle RECVMMSG = NativeSupport.downcallCriticalHeap("recvmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    static final MethodHandle EPOLL_CREATE1 = NativeSupport.downcall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    static final MethodHandle EPOLL_CTL = NativeSupport.downcall("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    static final MethodHandle EPOLL_WAIT = NativeSupport.downcall("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    /** {@code epoll_pwait2} (nanosecond timeouts, Linux 5.11, glibc 2.35), or null where libc lacks it. */
    static final MethodHandle EPOLL_PWAIT2 = NativeSupport.LIBC.find("epoll_pwait2").isPresent()
            ? NativeSupport.downcall("epoll_pwait2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS))
            : null;
    static final MethodHandle EVENTFD = NativeSupport.downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle TIMERFD_CREATE = NativeSupport.downcall("timerfd_create", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle TIMERFD_SETTIME = NativeSupport.downcall("timerfd_settime",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle READ = NativeSupport.downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    static final MethodHandle WRITE = NativeSupport.downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));

    /** One call-state segment per thread, so capturing calls do not allocate. */
    private static final ThreadLocal<MemorySegment> CALL_STATE =
            ThreadLocal.withInitial(() -> NativeSupport.newCallState(Arena.ofAuto())); // freed with its (virtual) thread

    private UnixNative() {
    }

    /** This thread's call-state segment. */
    static MemorySegment state() {
        return CALL_STATE.get();
    }

    static int errno() {
        return NativeSupport.errno(CALL_STATE.get());
    }

    static AssertionError fatal(Throwable t) {
        return new AssertionError("native call failed unexpectedly", t);
    }
}
