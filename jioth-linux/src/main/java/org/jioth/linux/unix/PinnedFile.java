package org.jioth.linux.unix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.Closeable;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.NativeSupport;

/**
 * A file opened with {@code O_PATH | O_NOFOLLOW}: the inode a path named at that moment, a symbolic
 * link itself rather than its target. Its type and owner can then be checked, and it can be
 * connected to, chmod'ed or chown'ed through {@link #procPath()} without another path lookup, so
 * another user who swaps the name afterwards (for a symlink to a file of ours) changes nothing.
 * This is how jioth touches socket files in directories other users may write to.
 */
public final class PinnedFile implements Closeable {
    private static final int O_PATH = 010000000;
    private static final int O_NOFOLLOW = 0400000;
    private static final int O_CLOEXEC = 02000000;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE_MODE_UID_GID = 0x1 | 0x2 | 0x8 | 0x10;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFDIR = 0040000;

    @SuppressWarnings("restricted") // the module is the one place allowed native access
    private static final MethodHandle OPEN = NativeSupport.LINKER.downcallHandle(
            NativeSupport.LIBC.find("open").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCHOWNAT = NativeSupport.downcall("fchownat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle STATX = NativeSupport.downcall("statx",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));

    private final int fd;
    private final String path;
    private final int mode;
    private final int uid;
    private final int gid;
    private boolean closed;

    private PinnedFile(int fd, String path, int mode, int uid, int gid) {
        this.fd = fd;
        this.path = path;
        this.mode = mode;
        this.uid = uid;
        this.gid = gid;
    }

    /** Pins what {@code path} names now, without following a final symbolic link. */
    public static PinnedFile open(String path) throws ErrnoException {
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = (int) OPEN.invokeExact(UnixNative.state(), arena.allocateFrom(path), O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
            if (fd < 0) {
                throw new ErrnoException("open(O_PATH)", UnixNative.errno(), path);
            }
            MemorySegment stx = arena.allocate(256, 8);
            int r = (int) STATX.invokeExact(UnixNative.state(), fd, arena.allocateFrom(""), AT_EMPTY_PATH,
                    STATX_TYPE_MODE_UID_GID, stx);
            if (r < 0) {
                int e = UnixNative.errno();
                closeFd(fd);
                throw new ErrnoException("statx", e, path);
            }
            // struct statx: stx_uid at 20, stx_gid at 24, stx_mode (u16) at 28, the same on every architecture
            return new PinnedFile(fd, path, Short.toUnsignedInt(stx.get(JAVA_SHORT, 28)), stx.get(JAVA_INT, 20),
                    stx.get(JAVA_INT, 24));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw UnixNative.fatal(t);
        }
    }

    /** The path it was opened by (for messages). */
    public String path() {
        return path;
    }

    public boolean isSocket() {
        return (mode & S_IFMT) == S_IFSOCK;
    }

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    /** The permission bits (12). */
    public int permissions() {
        return mode & 07777;
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    /** {@code /proc/self/fd/N}: a name of exactly this inode, for connect, chmod and chown. */
    public String procPath() {
        return "/proc/self/fd/" + fd;
    }

    /** chmod of this inode (all 12 bits), never of whatever the path names now. */
    public void chmod(int permissions) throws ErrnoException {
        UnixFiles.chmod(procPath(), permissions);
    }

    /** Changes this inode's group (never following a link). */
    public void chgrp(int group) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            int r = (int) FCHOWNAT.invokeExact(UnixNative.state(), fd, arena.allocateFrom(""), -1, group, AT_EMPTY_PATH);
            if (r < 0) {
                throw new ErrnoException("fchownat", UnixNative.errno(), path);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw UnixNative.fatal(t);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeFd(fd);
        }
    }

    private static void closeFd(int fd) {
        try {
            int ignored = (int) UnixNative.CLOSE.invokeExact(UnixNative.state(), fd);
        } catch (Throwable t) {
            throw UnixNative.fatal(t);
        }
    }
}
