package org.jioth.vdestack;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.fdnio.FdSelectorProvider;
import org.jioth.linux.unix.UnixSocket;
import org.jioth.linux.tap.TunTap;
import org.jioth.linux.unix.FdPassing;
import org.jioth.linux.unix.PeerCredentials;

/**
 * The process that owns a vdestack's namespace. Started as
 * {@code unshare --user --map-root-user --net java … NamespaceHelper SOCKET}, so it is root in a new
 * user namespace with a new network namespace; it connects to the stack's SOCK_SEQPACKET socket
 * and then makes taps and sockets on request, handing each descriptor back with SCM_RIGHTS and
 * closing its own copy. It keeps nothing but the namespace alive: it exits when the stack closes
 * the connection or its JVM dies (end of file on the connection), and the namespace goes with it.
 *
 * <p>One thread, one request at a time: the stack serializes its requests anyway.
 */
public final class NamespaceHelper {
    private NamespaceHelper() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals(AOT_TRAINING)) {
            train();
            System.exit(0);
        }
        if (args.length != 2) {
            System.err.println("usage: NamespaceHelper CONTROL-SOCKET-PATH STACK-PID (started by the vdestack plug-in)");
            System.exit(2);
        }
        allowPing();
        UnixSocket channel = UnixSocket.open(UnixSocket.Type.SEQPACKET);
        try {
            channel.connect(args[0]);
        } catch (ErrnoException e) {
            System.err.println("vdestack helper: cannot reach the stack at " + args[0] + ": " + e.getMessage());
            System.exit(3);
        }
        String refused = checkStack(PeerCredentials.of(channel), Long.parseLong(args[1]));
        if (refused != null) {
            System.err.println("vdestack helper: " + refused);
            System.exit(4);
        }
        serve(channel);
        System.exit(0);
    }

    /** The argument of the training run that records {@link HelperAotCache}'s cache. */
    static final String AOT_TRAINING = "--aot-training";

    /**
     * The training run for the AOT cache: what a real helper does, against a stack end in this JVM
     * on a socketpair (a socket and a tap requested, the tap refused where /dev/net/tun is not ours),
     * so the cache holds the classes and linked native calls that a helper's start needs.
     */
    private static void train() throws Exception {
        UnixSocket[] pair = UnixSocket.pair(UnixSocket.Type.SEQPACKET);
        checkStack(PeerCredentials.of(pair[1]), ProcessHandle.current().pid());
        Thread stack = Thread.ofPlatform().start(() -> {
            try (HelperChannel channel = new HelperChannel(pair[0], java.time.Duration.ofSeconds(20))) {
                TunTap.close(channel.socket(2, 1 | 0x80000, 0));
                try {
                    TunTap.close(channel.tap("aot0"));
                } catch (ErrnoException e) {
                    // no tap outside a namespace of ours: the refusal is trained too
                }
            } catch (ErrnoException e) {
                System.err.println("vdestack helper training: " + e.getMessage());
            }
        });
        serve(pair[1]);
        stack.join();
        pair[1].close();
    }

    /**
     * Serve only the stack that started us: SO_PEERCRED as seen from inside our user namespace,
     * where the user who made it (the stack's) is root, and the stack's process id. Returns why the
     * peer is refused, or null.
     */
    static String checkStack(PeerCredentials peer, long stackPid) {
        if (peer.uid() != 0 || peer.pid() != stackPid) {
            return "refusing to serve pid " + peer.pid() + " uid " + peer.uid() + " (seen from the namespace): expected the stack,"
                    + " pid " + stackPid + ", as uid 0 (the user owning this namespace)";
        }
        return null;
    }

    /**
     * Lets the namespace's root group open ICMP echo sockets (SOCK_DGRAM, IPPROTO_ICMP), so the
     * stack can ping without raw sockets. Best effort: without it only ping is missing.
     */
    private static void allowPing() {
        try {
            Files.writeString(Path.of("/proc/sys/net/ipv4/ping_group_range"), "0 0\n");
        } catch (Exception e) {
            // not fatal
        }
    }

    private static void serve(UnixSocket channel) throws Exception {
        ByteBuffer in = ByteBuffer.allocate(HelperProtocol.MAX_REQUEST).order(ByteOrder.nativeOrder());
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment state = org.jioth.linux.NativeSupport.newCallState(arena);
            java.lang.foreign.MemorySegment pollfd = arena.allocate(8);
            while (true) {
                int ready = org.jioth.linux.Poll.pollIn(state, pollfd, channel.fd(), -1);
                if (ready < 0) {
                    continue; // EINTR
                }
                in.clear();
                FdPassing.Received r = FdPassing.receive(channel, in);
                if (r == null) {
                    continue;
                }
                if (r.bytes() == 0) {
                    return; // the stack closed the connection or its JVM died
                }
                in.flip();
                int fd = -1;
                int errno = 0;
                try {
                    fd = perform(in);
                } catch (ErrnoException e) {
                    errno = e.errno();
                } catch (RuntimeException e) {
                    errno = org.jioth.Errno.EINVAL.value();
                }
                ByteBuffer out = HelperProtocol.reply(in, errno);
                try {
                    while (FdPassing.send(channel, out, fd) < 0) {
                        org.jioth.linux.Poll.pollIn(state, pollfd, channel.fd(), 10); // a full socket: rare, retry shortly
                    }
                } finally {
                    if (fd >= 0) {
                        TunTap.close(fd); // the stack has its own copy now
                    }
                }
            }
        }
    }

    private static int perform(ByteBuffer request) throws ErrnoException {
        if (request.remaining() < HelperProtocol.REQUEST_HEADER) {
            throw new ErrnoException("request", org.jioth.Errno.EINVAL.value());
        }
        request.getInt(); // the id, echoed by HelperProtocol.reply
        int op = request.getInt();
        int a = request.getInt();
        int b = request.getInt();
        int c = request.getInt();
        return switch (op) {
            case HelperProtocol.OP_SOCKET -> {
                try {
                    yield FdSelectorProvider.LOCAL.socket(a, b, c);
                } catch (ErrnoException e) {
                    throw e;
                } catch (java.io.IOException e) {
                    throw new ErrnoException("socket", org.jioth.Errno.EINVAL.value());
                }
            }
            case HelperProtocol.OP_TAP -> {
                byte[] name = new byte[request.remaining()];
                request.get(name);
                yield TunTap.openTap(new String(name, StandardCharsets.UTF_8));
            }
            default -> throw new ErrnoException("request " + op, org.jioth.Errno.EINVAL.value());
        };
    }
}
