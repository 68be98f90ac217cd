package org.jioth.linux.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.jioth.linux.unix.UnixNative.*;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.NativeSupport;

/**
 * Passing descriptors between processes over an AF_UNIX socket (SCM_RIGHTS): one message carries
 * bytes and at most one descriptor. Received descriptors are close-on-exec (MSG_CMSG_CLOEXEC).
 * Like the rest of {@link UnixSocket}, the calls never wait: "would block" is -1 / null.
 */
public final class FdPassing {
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int MSG_CTRUNC = 0x8;
    /** struct msghdr on 64-bit Linux: name, namelen(+pad), iov, iovlen, control, controllen, flags. */
    private static final long MSGHDR_SIZE = 56;
    private static final long CMSG_HDR = 16;     // cmsg_len (size_t), level, type
    private static final long CMSG_SPACE_ONE_FD = 24;

    private static final MethodHandle SENDMSG = NativeSupport.downcall("sendmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = NativeSupport.downcall("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

    /** What {@link #receive} got: the byte count and the descriptor that came with them (-1 if none). */
    public record Received(int bytes, int fd) {
    }

    private FdPassing() {
    }

    /**
     * Sends {@code data} (position..limit, advanced) as one message with descriptor {@code fd}
     * attached ({@code fd < 0}: none). Returns the bytes sent or -1 when it would block.
     */
    public static int send(UnixSocket socket, ByteBuffer data, int fd) throws ErrnoException {
        socket.begin("sendmsg");
        try (Arena arena = Arena.ofConfined()) {
            int len = data.remaining();
            MemorySegment buf = arena.allocate(Math.max(1, len));
            MemorySegment.copy(MemorySegment.ofBuffer(data), 0, buf, 0, len);
            MemorySegment msg = message(arena, buf, len, fd >= 0 ? CMSG_SPACE_ONE_FD : 0);
            if (fd >= 0) {
                MemorySegment cmsg = msg.get(ADDRESS, 32).reinterpret(CMSG_SPACE_ONE_FD);
                cmsg.set(JAVA_LONG, 0, CMSG_HDR + 4);
                cmsg.set(JAVA_INT, 8, SOL_SOCKET);
                cmsg.set(JAVA_INT, 12, SCM_RIGHTS);
                cmsg.set(JAVA_INT, 16, fd);
            }
            long n = (long) SENDMSG.invokeExact(state(), socket.fd(), msg, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n < 0) {
                int e = errno();
                if (e == EAGAIN || e == EINTR) {
                    return -1;
                }
                throw new ErrnoException("sendmsg", e);
            }
            data.position(data.position() + (int) n);
            return (int) n;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw fatal(t);
        } finally {
            socket.end();
        }
    }

    /**
     * Receives one message into {@code dst} (from its position, advanced) and the descriptor that
     * came with it, or null when nothing is waiting. A descriptor the kernel had to drop (control
     * data truncated) is an error: the message is not silently half-delivered.
     */
    public static Received receive(UnixSocket socket, ByteBuffer dst) throws ErrnoException {
        socket.begin("recvmsg");
        try (Arena arena = Arena.ofConfined()) {
            int room = dst.remaining();
            MemorySegment buf = arena.allocate(Math.max(1, room));
            MemorySegment msg = message(arena, buf, room, CMSG_SPACE_ONE_FD);
            long n = (long) RECVMSG.invokeExact(state(), socket.fd(), msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
            if (n < 0) {
                int e = errno();
                if (e == EAGAIN || e == EINTR) {
                    return null;
                }
                throw new ErrnoException("recvmsg", e);
            }
            int fd = -1;
            long controlLen = msg.get(JAVA_LONG, 40);
            if (controlLen >= CMSG_HDR + 4) {
                MemorySegment cmsg = msg.get(ADDRESS, 32).reinterpret(CMSG_SPACE_ONE_FD);
                if (cmsg.get(JAVA_INT, 8) == SOL_SOCKET && cmsg.get(JAVA_INT, 12) == SCM_RIGHTS) {
                    fd = cmsg.get(JAVA_INT, 16);
                }
            }
            if ((msg.get(JAVA_INT, 48) & MSG_CTRUNC) != 0) {
                throw new ErrnoException("recvmsg", org.jioth.Errno.EMSGSIZE.value(),
                        "control data truncated: a descriptor was lost");
            }
            MemorySegment.copy(buf, 0, MemorySegment.ofBuffer(dst), 0, n);
            dst.position(dst.position() + (int) n);
            return new Received((int) n, fd);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw fatal(t);
        } finally {
            socket.end();
        }
    }

    private static MemorySegment message(Arena arena, MemorySegment buf, long len, long controlLen) {
        MemorySegment iov = arena.allocate(16, 8);
        iov.set(ADDRESS, 0, buf);
        iov.set(JAVA_LONG, 8, len);
        MemorySegment msg = arena.allocate(MSGHDR_SIZE, 8);
        msg.set(ADDRESS, 16, iov);
        msg.set(JAVA_LONG, 24, 1L);
        if (controlLen > 0) {
            msg.set(ADDRESS, 32, arena.allocate(controlLen, 8));
            msg.set(JAVA_LONG, 40, controlLen);
        }
        return msg;
    }
}
