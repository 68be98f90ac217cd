package org.jioth.linux.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.jioth.linux.unix.UnixNative.errno;
import static org.jioth.linux.unix.UnixNative.fatal;
import static org.jioth.linux.unix.UnixNative.state;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.NativeSupport;

/**
 * Who is at the other end of a connected AF_UNIX socket (SO_PEERCRED): the process id, user id and
 * group id the peer had when it connected (or made the pair), as the kernel reports them in the
 * caller's namespaces (a uid with no mapping there shows as the overflow uid, 65534).
 */
public record PeerCredentials(int pid, int uid, int gid) {
    private static final int SOL_SOCKET = 1;
    private static final int SO_PEERCRED = 17;
    private static final MethodHandle GETSOCKOPT = NativeSupport.downcall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    /** The credentials of the peer of {@code socket}. */
    public static PeerCredentials of(UnixSocket socket) throws ErrnoException {
        socket.begin("getsockopt(SO_PEERCRED)");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ucred = arena.allocate(12, 4); // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
            MemorySegment len = arena.allocateFrom(JAVA_INT, 12);
            int r = (int) GETSOCKOPT.invokeExact(state(), socket.fd(), SOL_SOCKET, SO_PEERCRED, ucred, len);
            if (r < 0) {
                throw new ErrnoException("getsockopt(SO_PEERCRED)", errno());
            }
            return new PeerCredentials(ucred.get(JAVA_INT, 0), ucred.get(JAVA_INT, 4), ucred.get(JAVA_INT, 8));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw fatal(t);
        } finally {
            socket.end();
        }
    }
}
