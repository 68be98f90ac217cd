package org.jioth.jnet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A segment emitted with a partial checksum completes (as a kernel with offload does) to the full one. */
class TcpPartialChecksumTest {
    @Test
    void completingThePartialChecksumGivesTheFullOne() {
        SplittableRandom r = new SplittableRandom(5);
        for (int n = 0; n < 200; n++) {
            int payload = r.nextInt(0, 1500);
            ByteBuffer full = ByteBuffer.allocate(20 + payload);
            byte[] data = new byte[payload];
            r.nextBytes(data);
            full.put(20, data);
            ByteBuffer partial = ByteBuffer.allocate(20 + payload).put(20, data);
            int src = r.nextInt();
            int dst = r.nextInt();
            int seq = r.nextInt();
            int ack = r.nextInt();
            int len = Tcp.emit(full, 0, 80, 4000, seq, ack, Tcp.ACK, 512, null, payload, src, dst);
            Tcp.emit(partial, 0, 80, 4000, seq, ack, Tcp.ACK, 512, null, payload, src, dst, true);
            long pseudo = Checksum.pseudoHeader(src, dst, Ipv4.PROTO_TCP, len);
            assertThat(partial.getShort(16) & 0xffff).isEqualTo(Checksum.fold(pseudo));
            partial.putShort(16, (short) Checksum.finish(Checksum.add(partial, 0, len, 0)));
            assertThat(partial).isEqualTo(full);
        }
    }
}
