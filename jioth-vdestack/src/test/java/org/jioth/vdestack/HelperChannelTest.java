package org.jioth.vdestack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jioth.Errno;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.tap.TunTap;
import org.jioth.linux.unix.FdPassing;
import org.jioth.linux.unix.PeerCredentials;
import org.jioth.linux.unix.UnixSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our end of the helper protocol against a fake helper on a socketpair: a reply that comes after
 * its request timed out must not answer the next request, and the descriptor it carries must be
 * closed, not leaked.
 */
@Timeout(120) // above the 60 s the requests are waited for
class HelperChannelTest {

    @Test
    void aLateReplyDoesNotAnswerTheNextRequestAndItsDescriptorIsClosed() throws Exception {
        UnixSocket[] control = UnixSocket.pair(UnixSocket.Type.SEQPACKET);
        UnixSocket[] late = UnixSocket.pair(UnixSocket.Type.SEQPACKET); // what the late reply carries
        UnixSocket[] right = UnixSocket.pair(UnixSocket.Type.SEQPACKET); // what the second request must get
        try (HelperChannel channel = new HelperChannel(control[0], Duration.ofMillis(300))) {
            UnixSocket helper = control[1];
            assertThatThrownBy(() -> channel.socket(2, 1, 0))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ETIMEDOUT.value()));
            ByteBuffer first = receive(helper);

            CompletableFuture<Integer> tap = CompletableFuture.supplyAsync(() -> {
                try {
                    return channel.tap("vde0");
                } catch (ErrnoException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            ByteBuffer second = receive(helper);
            send(helper, HelperProtocol.reply(first, 0), late[0].fd()); // the socket, too late
            send(helper, HelperProtocol.reply(second, 0), right[0].fd());
            late[0].close();
            int fd = tap.get(60, TimeUnit.SECONDS);
            try {
                assertThat(link(fd)).as("the tap request got the descriptor sent for it").isEqualTo(link(right[0].fd()));
            } finally {
                TunTap.close(fd);
            }
            assertThat(channel.staleReplies()).as("the late answer was dropped").isEqualTo(1);
            FdPassing.Received eof = FdPassing.receive(late[1], ByteBuffer.allocate(8));
            assertThat(eof).as("the late descriptor was closed (its peer sees end of file)").isNotNull();
            assertThat(eof.bytes()).isZero();
        } finally {
            for (UnixSocket s : new UnixSocket[] {control[1], late[0], late[1], right[0], right[1]}) {
                s.close();
            }
        }
    }

    /** SO_PEERCRED on both ends: another process than the helper we started, or than the stack, is refused. */
    @Test
    void peersOtherThanTheHelperOrTheStackAreRefused() throws Exception {
        UnixSocket[] pair = UnixSocket.pair(UnixSocket.Type.SEQPACKET);
        try {
            long pid = ProcessHandle.current().pid();
            int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            HelperProcess.checkPeer(pair[0], pid, uid); // the peer is this process: accepted
            assertThatThrownBy(() -> HelperProcess.checkPeer(pair[0], pid + 1, uid))
                    .hasMessageContaining("refused a helper connection from pid " + pid);
            assertThatThrownBy(() -> HelperProcess.checkPeer(pair[0], pid, uid + 1))
                    .hasMessageContaining("uid " + uid);
        } finally {
            pair[0].close();
            pair[1].close();
        }
        assertThat(NamespaceHelper.checkStack(new PeerCredentials(42, 0, 0), 42)).isNull();
        assertThat(NamespaceHelper.checkStack(new PeerCredentials(42, 65534, 65534), 42)).contains("uid 65534");
        assertThat(NamespaceHelper.checkStack(new PeerCredentials(43, 0, 0), 42)).contains("pid 43");
    }

    private static String link(int fd) throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
    }

    private static ByteBuffer receive(UnixSocket s) throws Exception {
        ByteBuffer in = ByteBuffer.allocate(HelperProtocol.MAX_REQUEST).order(ByteOrder.nativeOrder());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            FdPassing.Received r = FdPassing.receive(s, in);
            if (r != null) {
                assertThat(r.fd()).isNegative();
                return in.flip();
            }
            assertThat(System.nanoTime()).as("a request within 60 s").isLessThan(deadline);
            HelperChannel.waitReadable(s.fd(), Duration.ofMillis(100));
        }
    }

    private static void send(UnixSocket s, ByteBuffer reply, int fd) throws Exception {
        while (FdPassing.send(s, reply, fd) < 0) {
            Thread.sleep(10);
        }
    }
}
