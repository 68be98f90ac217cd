package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jioth.vde.VdeTools.waitUntil;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jioth.linux.NativeSupport;
import org.jioth.linux.unix.Reactor;
import org.jioth.linux.unix.UnixAddress;
import org.jioth.linux.unix.UnixSocket;
import org.jioth.vde.Frames.Recorder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both sides of the vde handshake against a scripted peer written with the raw socket bindings: the
 * client's request bytes per port option, and the server's answers to bad requests.
 */
class VdeProtocolTest {
    @TempDir
    Path dir;

    @BeforeEach
    void linux() {
        org.junit.jupiter.api.Assumptions.assumeTrue(NativeSupport.isLinux(), "needs Linux");
    }

    /** A one-shot fake switch listening at {@code dir/name}: returns the request, answers with a data socket. */
    record Served(ByteBuffer request, UnixSocket control, UnixSocket data) {
    }

    static final java.util.concurrent.atomic.AtomicInteger SERVED = new java.util.concurrent.atomic.AtomicInteger();

    CompletableFuture<Served> fakeSwitch(String name) throws Exception {
        UnixSocket listener = UnixSocket.open(UnixSocket.Type.STREAM);
        listener.bind(dir.resolve(name).toString());
        listener.listen(4);
        return CompletableFuture.supplyAsync(() -> {
            try (listener) {
                Reactor r = Reactor.shared();
                assertThat(r.awaitReadable(listener.fd(), VdeTools.TIMEOUT)).isTrue();
                UnixSocket c = listener.accept();
                assertThat(r.awaitReadable(c.fd(), VdeTools.TIMEOUT)).isTrue();
                ByteBuffer req = ByteBuffer.allocate(256);
                c.receive(req);
                req.flip();
                byte[] sa = new byte[UnixAddress.SIZE];
                req.get(12, sa); // like vde_switch, serve any type (our own switch refuses type 1)
                UnixSocket data = UnixSocket.open(UnixSocket.Type.DATAGRAM);
                String mine = dir.resolve("005." + SERVED.incrementAndGet()).toString();
                data.bind(mine);
                data.connect(UnixAddress.decode(sa, sa.length));
                c.send(ByteBuffer.wrap(UnixAddress.encode(mine)));
                return new Served(req, c, data);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
    }

    int typeAndClose(CompletableFuture<Served> served) throws Exception {
        Served s = served.get(30, TimeUnit.SECONDS);
        s.control().close();
        s.data().close();
        return type(s.request());
    }

    int type(ByteBuffer request) {
        return request.duplicate().order(ByteOrder.nativeOrder()).getInt(8);
    }

    @Test
    void numericPortGoesToCtlWithThePortInTheType() throws Exception {
        var served = fakeSwitch("ctl");
        try (EthernetPort p = EthernetPorts.open("vde://" + dir + "[port=5/reconnect=0]")) {
            Served s = served.get(30, TimeUnit.SECONDS);
            assertThat(type(s.request())).isEqualTo(0x500);
            assertThat(s.request().remaining()).isEqualTo(122 + VdeScheme.description("jioth:").length());
            VdeRequest r = VdeRequest.decode(s.request());
            assertThat(r.description()).isEqualTo(VdeScheme.description("jioth:"));
            assertThat(r.socketPath()).matches(java.util.regex.Pattern.quote(dir.toRealPath() + "/.") + "\\d{5,}-\\d{5}");
            assertThat(Files.exists(Path.of(r.socketPath()))).as("client unlinks its socket after connecting").isFalse();

            // frames both ways on the data pair, no header
            Recorder rx = new Recorder();
            p.setSink(rx);
            ByteBuffer f = Frames.frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", "hello");
            s.data().send(f.duplicate());
            waitUntil("a frame", () -> rx.frames.size() == 1);
            assertThat(rx.frames.getFirst()).isEqualTo(f.array());
            s.data().send(ByteBuffer.allocate(13)); // too short: counted, not delivered
            waitUntil("the runt to be counted", () -> p.statistics().droppedBadLength.sum() == 1);
            assertThat(p.send(f)).isTrue();
            ByteBuffer in = ByteBuffer.allocate(100);
            assertThat(Reactor.shared().awaitReadable(s.data().fd(), VdeTools.TIMEOUT)).isTrue();
            assertThat(s.data().receive(in)).isEqualTo(f.remaining());
            s.control().close(); // the switch hangs up
            waitUntil("hang-up noticed", ((VdePort) p)::isHungUp);
            s.data().close();
        }
    }

    @Test
    void portZeroAndPortGroups() throws Exception {
        var served = fakeSwitch("ctl");
        try (EthernetPort p = EthernetPorts.open("vde://" + dir + "[0]")) {
            assertThat(typeAndClose(served)).isEqualTo(1);
        }
        Files.delete(dir.resolve("ctl"));
        var group = fakeSwitch("blue");
        try (EthernetPort p = EthernetPorts.open("vde://" + dir + "[blue]")) {
            assertThat(typeAndClose(group)).as("via a group socket: type 0").isZero();
        }
        Files.delete(dir.resolve("blue"));
        var fallback = fakeSwitch("ctl");
        try (EthernetPort p = EthernetPorts.open("vde://" + dir + "[portgroup=red]")) {
            assertThat(typeAndClose(fallback)).as("no red socket: ctl, type 0").isZero();
        }
    }

    @Test
    void aSwitchThatHangsUpRefusesTheOpen() throws Exception {
        UnixSocket listener = UnixSocket.open(UnixSocket.Type.STREAM);
        listener.bind(dir.resolve("ctl").toString());
        listener.listen(4);
        var closer = CompletableFuture.runAsync(() -> {
            try (listener) {
                Reactor.shared().awaitReadable(listener.fd(), VdeTools.TIMEOUT);
                listener.accept().close();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        assertThatThrownBy(() -> EthernetPorts.open("vde://" + dir)).isInstanceOf(java.net.ConnectException.class)
                .hasMessageContaining("refused");
        closer.get(30, TimeUnit.SECONDS);
        try (var files = Files.list(dir)) {
            assertThat(files.map(Path::getFileName).map(Path::toString)).containsExactly("ctl");
        }
    }

    @Test
    void ourSwitchDropsBadRequestsWithoutAReplyAndKeepsServing() throws Exception {
        Path sw = dir.resolve("sw");
        try (EthernetPort host = EthernetPorts.open("switch://" + sw)) {
            NodeDirectory served = NodeDirectory.lookup(sw.toRealPath());
            for (byte[] bad : new byte[][] {
                    "garbage".getBytes(),
                    new VdeRequest(1, "/nonexistent/x", "port 0 request").encode(),
                    new VdeRequest(0, "/nonexistent/x", "no such client socket").encode()}) {
                try (UnixSocket c = UnixSocket.open(UnixSocket.Type.STREAM)) {
                    c.connect(sw.resolve("ctl").toString());
                    c.send(ByteBuffer.wrap(bad));
                    assertThat(Reactor.shared().awaitReadable(c.fd(), VdeTools.TIMEOUT)).isTrue();
                    assertThat(c.receive(ByteBuffer.allocate(110))).as("EOF, no reply").isZero();
                }
            }
            assertThat(served.socketClients()).isZero();
            try (VdePort ok = VdeScheme.connect(sw.toRealPath(), null, null, null, 0700, "good")) {
                waitUntil("the good client", () -> served.socketClients() == 1);
                assertThat(ok.isHungUp()).isFalse();
            }
            waitUntil("its port freed", () -> served.socketClients() == 0);
        }
    }
}
