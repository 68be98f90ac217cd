package org.jioth.jnet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** TCP golden vectors (checksums computed by an independent script) and option edge cases. */
class TcpCodecTest {
    static final int A = 0xc0a8fa01;
    static final int B = 0xc0a8fa02;
    static final String SYN = "9c4013880102030400000000a002faf0df840000020405b40402080a112233440000000001030307";
    static final String DATA = "9c40138801020305a0b0c0d0b01801f62ed500000101080a55667788112233440101050a"
            + "000010000000200068656c6c6f";

    @Test
    void synWithAllOptionsGolden() {
        TcpOptions o = new TcpOptions();
        o.mss = 1460;
        o.sackPermitted = true;
        o.timestamps = true;
        o.tsVal = 0x11223344;
        o.windowScale = 7;
        ByteBuffer b = ByteBuffer.allocate(60);
        int n = Tcp.emit(b, 0, 40000, 5000, 0x01020304, 0, Tcp.SYN, 64240, o, 0, A, B);
        assertThat(n).isEqualTo(40);
        assertThat(Hex.hex(b, 0, n)).isEqualTo(SYN);

        Tcp t = new Tcp();
        assertThat(t.wrap(Hex.buf(SYN), 0, 40, A, B)).isEqualTo(Tcp.Check.OK);
        assertThat(t.sourcePort()).isEqualTo(40000);
        assertThat(t.destinationPort()).isEqualTo(5000);
        assertThat(t.seq()).isEqualTo(0x01020304);
        assertThat(t.flags()).isEqualTo(Tcp.SYN);
        assertThat(t.window()).isEqualTo(64240);
        assertThat(t.payloadLength()).isZero();
        TcpOptions p = new TcpOptions();
        assertThat(t.options(p)).isTrue();
        assertThat(p.mss).isEqualTo(1460);
        assertThat(p.windowScale).isEqualTo(7);
        assertThat(p.sackPermitted).isTrue();
        assertThat(p.timestamps).isTrue();
        assertThat(p.tsVal).isEqualTo(0x11223344);
        assertThat(p.sackCount).isZero();
    }

    @Test
    void dataWithTimestampsAndSackGolden() {
        TcpOptions o = new TcpOptions();
        o.timestamps = true;
        o.tsVal = 0x55667788;
        o.tsEcr = 0x11223344;
        assertThat(o.addSack(0x1000, 0x2000)).isTrue();
        ByteBuffer b = ByteBuffer.allocate(100);
        int hl = Tcp.headerLength(o);
        assertThat(hl).isEqualTo(44);
        b.put(hl, "hello".getBytes(StandardCharsets.US_ASCII));
        int n = Tcp.emit(b, 0, 40000, 5000, 0x01020305, 0xa0b0c0d0, Tcp.ACK | Tcp.PSH, 502, o, 5, A, B);
        assertThat(Hex.hex(b, 0, n)).isEqualTo(DATA);

        Tcp t = new Tcp();
        assertThat(t.wrap(b, 0, n, A, B)).isEqualTo(Tcp.Check.OK);
        assertThat(t.ack()).isEqualTo(0xa0b0c0d0);
        assertThat(t.has(Tcp.PSH)).isTrue();
        assertThat(t.payloadOffset()).isEqualTo(44);
        assertThat(t.payloadLength()).isEqualTo(5);
        TcpOptions p = new TcpOptions();
        assertThat(t.options(p)).isTrue();
        assertThat(p.sackCount).isEqualTo(1);
        assertThat(p.sackLeft(0)).isEqualTo(0x1000);
        assertThat(p.sackRight(0)).isEqualTo(0x2000);
        assertThat(p.mss).isEqualTo(-1);
        assertThat(p.windowScale).isEqualTo(-1);
    }

    @Test
    void checksumAndOffsetErrorsAreReported() {
        ByteBuffer b = Hex.buf(DATA);
        Tcp t = new Tcp();
        assertThat(t.wrap(b, 0, b.capacity(), A, B + 1)).isEqualTo(Tcp.Check.BAD_CHECKSUM);
        assertThat(t.wrap(b, 0, 19, A, B)).isEqualTo(Tcp.Check.TRUNCATED);
        b.put(12, (byte) 0x40); // 16-byte header: impossible
        assertThat(t.wrap(b, 0, b.capacity(), A, B)).isEqualTo(Tcp.Check.BAD_OFFSET);
        b.put(12, (byte) 0xf0); // 60-byte header in a 49-byte segment
        assertThat(t.wrap(b, 0, b.capacity(), A, B)).isEqualTo(Tcp.Check.BAD_OFFSET);
    }

    @Test
    void malformedOptionsAreReportedUnknownOnesSkipped() {
        TcpOptions p = new TcpOptions();
        // as Linux: a bad length ends parsing, what came before stays; a wrong-length known option is ignored
        assertThat(p.parse(Hex.buf("03030701 fe01 0000"), 0, 8)).isFalse();
        assertThat(p.windowScale).isEqualTo(7);
        assertThat(p.parse(Hex.buf("0205000000 02040578 00"), 0, 10)).isFalse();
        assertThat(p.mss).isEqualTo(1400);
        assertThat(p.parse(Hex.buf("0202"), 0, 2)).isFalse();             // MSS with length 2
        assertThat(p.parse(Hex.buf("02"), 0, 1)).isFalse();               // kind without length
        assertThat(p.parse(Hex.buf("0201"), 0, 2)).isFalse();             // length below 2
        assertThat(p.parse(Hex.buf("020a0000"), 0, 4)).isFalse();         // runs past the end
        assertThat(p.parse(Hex.buf("050a0000000100"), 0, 7)).isFalse();   // truncated SACK
        assertThat(p.parse(Hex.buf("fe04abcd 01 03030e 00 ffff"), 0, 10)).isTrue(); // unknown, NOP, WS, EOL, junk
        assertThat(p.windowScale).isEqualTo(14);
        assertThat(p.parse(Hex.buf("030320 00"), 0, 4)).isTrue();         // shift 32 is clamped to 14
        assertThat(p.windowScale).isEqualTo(14);
    }

    @Test
    void sackBlocksAreLimitedByRoom() {
        TcpOptions o = new TcpOptions();
        o.timestamps = true;
        for (int i = 0; i < 4; i++) {
            o.addSack(i * 100, i * 100 + 50);
        }
        assertThat(o.sackCount).isEqualTo(3);
        assertThat(o.encodedLength()).isEqualTo(40);
        o.clear();
        for (int i = 0; i < 5; i++) {
            o.addSack(i * 100, i * 100 + 50);
        }
        assertThat(o.sackCount).isEqualTo(4);
        assertThat(o.encodedLength()).isEqualTo(36);
        ByteBuffer b = ByteBuffer.allocate(40);
        assertThat(o.emit(b, 0)).isEqualTo(36);
        TcpOptions p = new TcpOptions();
        assertThat(p.parse(b, 0, 36)).isTrue();
        assertThat(p.sackCount).isEqualTo(4);
        assertThat(p.sackRight(3)).isEqualTo(350);
    }

    @Test
    void sequenceNumbersCompareAcrossWrapAround() {
        assertThat(SeqNum.lt(0xfffffff0, 0x10)).isTrue();
        assertThat(SeqNum.gt(0x10, 0xfffffff0)).isTrue();
        assertThat(SeqNum.le(5, 5)).isTrue();
        assertThat(SeqNum.ge(5, 6)).isFalse();
        assertThat(SeqNum.inWindow(0x2, 0xfffffffe, 0x10)).isTrue();
        assertThat(SeqNum.inWindow(0x10, 0xfffffffe, 0x10)).isFalse();
        assertThat(SeqNum.max(0xffffffff, 1)).isEqualTo(1);
        assertThat(SeqNum.min(0xffffffff, 1)).isEqualTo(0xffffffff);
        assertThat(SeqNum.diff(3, 0xfffffffe)).isEqualTo(5);
        assertThat(SeqNum.toString(-1)).isEqualTo("4294967295");
    }
}
