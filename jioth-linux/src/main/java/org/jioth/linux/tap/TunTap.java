package org.jioth.linux.tap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.NativeSupport;

/**
 * Opens a tap interface: {@code /dev/net/tun} + ioctl TUNSETIFF with IFF_TAP | IFF_NO_PI (one
 * read/write = one Ethernet frame). read/write block: platform threads only.
 */
public final class TunTap {
    public static final int EPERM = 1;
    public static final int EAGAIN = 11;
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    private static final int O_NONBLOCK = 0x800;
    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;
    private static final long TUNSETOFFLOAD = 0x400454d0L;
    /** The size of {@code struct virtio_net_hdr}, the tap's default header with IFF_VNET_HDR. */
    public static final int VNET_HDR_SIZE = 10;
    private static final int IFREQ_SIZE = 40;
    private static final int IFNAMSIZ = 16;

    private static final MethodHandle OPEN = NativeSupport.downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle IOCTL = NativeSupport.LINKER.downcallHandle(
            NativeSupport.LIBC.find("ioctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = NativeSupport.downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = NativeSupport.downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle CLOSE = NativeSupport.downcallNoErrno("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private TunTap() {
    }

    /**
     * Creates or attaches tap {@code name}; returns its descriptor. EPERM means CAP_NET_ADMIN is
     * missing (or the persistent tap belongs to someone else).
     */
    public static int openTap(String name) throws ErrnoException {
        return openTap(name, false);
    }

    /**
     * As {@link #openTap(String)}; with {@code vnetHeader}, IFF_VNET_HDR: every read and write starts
     * with a {@value #VNET_HDR_SIZE}-byte {@code struct virtio_net_hdr} (so we may write TSO
     * super-frames and partial checksums), and TUNSETOFFLOAD 0, so the kernel still hands us only
     * whole frames with complete checksums.
     */
    public static int openTap(String name, boolean vnetHeader) throws ErrnoException {
        return openTap(name, vnetHeader, false);
    }

    /**
     * As {@link #openTap(String, boolean)}; {@code nonBlocking} opens it O_NONBLOCK, so a reader can
     * take every queued frame and learn from EAGAIN that none is left (a tap's write never waits:
     * its socket's send buffer is unlimited).
     */
    public static int openTap(String name, boolean vnetHeader, boolean nonBlocking) throws ErrnoException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length == 0 || n.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("an interface name has 1.." + (IFNAMSIZ - 1) + " bytes: '" + name + "'");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = NativeSupport.newCallState(arena);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom("/dev/net/tun"),
                    O_RDWR | O_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0));
            if (fd < 0) {
                throw new ErrnoException("open /dev/net/tun", NativeSupport.errno(state));
            }
            MemorySegment ifr = arena.allocate(IFREQ_SIZE);
            MemorySegment.copy(n, 0, ifr, JAVA_BYTE, 0, n.length);
            ifr.set(JAVA_SHORT, IFNAMSIZ, (short) (IFF_TAP | IFF_NO_PI | (vnetHeader ? IFF_VNET_HDR : 0)));
            int rc = (int) IOCTL.invokeExact(state, fd, TUNSETIFF, ifr);
            String failed = "TUNSETIFF";
            if (rc >= 0 && vnetHeader) {
                rc = (int) IOCTL.invokeExact(state, fd, TUNSETOFFLOAD, MemorySegment.NULL);
                failed = "TUNSETOFFLOAD";
            }
            if (rc < 0) {
                int errno = NativeSupport.errno(state);
                int ignored = (int) CLOSE.invokeExact(fd);
                throw new ErrnoException("ioctl " + failed + " " + name, errno,
                        errno == EPERM ? "creating a tap needs CAP_NET_ADMIN (root, or a user+net namespace)" : null);
            }
            return fd;
        } catch (ErrnoException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** read(2): returns bytes read or -errno. */
    public static long read(MemorySegment state, int fd, MemorySegment buf, long len) {
        try {
            long n = (long) READ.invokeExact(state, fd, buf, len);
            return n < 0 ? -NativeSupport.errno(state) : n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** write(2): returns bytes written or -errno. */
    public static long write(MemorySegment state, int fd, MemorySegment buf, long len) {
        try {
            long n = (long) WRITE.invokeExact(state, fd, buf, len);
            return n < 0 ? -NativeSupport.errno(state) : n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new AssertionError(t);
    }
}
