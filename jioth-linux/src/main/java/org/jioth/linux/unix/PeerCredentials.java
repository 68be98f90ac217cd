package org.jioth.linux.unix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jioth.linux.ErrnoException;

/**
 * The credentials of the process at the other end of a connected AF_UNIX socket, as the kernel
 * recorded them at connect time ({@code SO_PEERCRED}); they cannot be forged by the peer.
 */
public record PeerCredentials(int pid, int uid, int gid) {
    private static final int SOL_SOCKET = 1;
    private static final int SO_PEERCRED = 17;

    /** The credentials of {@code socket}'s peer, with the socket held open for the call. */
    public static PeerCredentials of(UnixSocket socket) throws ErrnoException {
        socket.begin("getsockopt(SO_PEERCRED)");
        try {
            return of(socket.fd());
        } finally {
            socket.end();
        }
    }

    /** The peer of the connected socket {@code fd}. */
    public static PeerCredentials of(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ucred = arena.allocate(12, 4);
            MemorySegment len = arena.allocateFrom(ValueLayout.JAVA_INT, 12);
            int r = (int) UnixNative.GETSOCKOPT.invokeExact(UnixNative.state(), fd, SOL_SOCKET, SO_PEERCRED, ucred, len);
            if (r < 0) {
                throw new ErrnoException("getsockopt(SO_PEERCRED)", UnixNative.errno());
            }
            return new PeerCredentials(ucred.get(ValueLayout.JAVA_INT, 0), ucred.get(ValueLayout.JAVA_INT, 4),
                    ucred.get(ValueLayout.JAVA_INT, 8));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw UnixNative.fatal(t);
        }
    }
}
