package org.jioth.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The shared plumbing of every libc binding in jioth-linux: the linker, the C library lookup and
 * errno capture. Each binding class keeps one {@code static final MethodHandle} per C function,
 * made with {@link #downcall} (errno captured) or {@link #downcallNoErrno}.
 */
public final class NativeSupport {
    public static final Linker LINKER = Linker.nativeLinker();
    public static final SymbolLookup LIBC = LINKER.defaultLookup();

    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    /** The layout of the call-state segment a capturing downcall takes as its first argument. */
    public static final StructLayout CAPTURE_STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_STATE_LAYOUT.varHandle(PathElement.groupElement("errno"));

    private NativeSupport() {
    }

    /** True on Linux, where the bindings mean anything. */
    public static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
    }

    /**
     * A handle to libc's {@code name} that captures errno: call it with a capture-state segment
     * (from {@link #newCallState}) before the C arguments, then read {@link #errno} on failure.
     */
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(find(name), descriptor, CAPTURE_ERRNO);
    }

    /** A handle to libc's {@code name} for functions whose errno does not matter. */
    public static MethodHandle downcallNoErrno(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(find(name), descriptor);
    }

    /** A handle that is critical (no thread-state transition): only for short calls that never block. */
    public static MethodHandle downcallCritical(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(find(name), descriptor, Linker.Option.critical(false));
    }

    /**
     * A handle to libc's {@code name} that captures errno (as {@link #downcall}) and is critical with
     * heap access, so Java arrays and heap buffers go to C without a copy: only for short calls that
     * never block (a non-blocking send or receive).
     */
    public static MethodHandle downcallCriticalHeap(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(find(name), descriptor, CAPTURE_ERRNO, Linker.Option.critical(true));
    }

    private static MemorySegment find(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
    }

    /** A call-state segment for capturing downcalls, allocated in {@code arena}. */
    public static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CAPTURE_STATE_LAYOUT);
    }

    /** The errno a capturing call left in {@code callState}. */
    public static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }
}
