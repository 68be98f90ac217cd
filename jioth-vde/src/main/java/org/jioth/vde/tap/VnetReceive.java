package org.jioth.vde.tap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads the {@code virtio_net_hdr} in front of a frame read from a tap opened with IFF_VNET_HDR.
 * We ask the kernel for no offloads (TUNSETOFFLOAD 0), so it should hand us whole frames with
 * complete checksums; a frame that still says its checksum is partial gets it completed here, and
 * a GSO super-frame (larger than any frame a port takes) is refused.
 */
final class VnetReceive {
    private VnetReceive() {
    }

    /**
     * Checks the header at {@code b[0..10)} of a read of {@code n} bytes and completes a partial
     * checksum in place. Returns false when the frame must be dropped as malformed.
     */
    static boolean accept(ByteBuffer b, int n) {
        int hdr = TsoCoalescer.VNET_HDR;
        if (n < hdr || b.get(1) != 0) {
            return false; // no header, or a GSO frame
        }
        if ((b.get(0) & TsoCoalescer.NEEDS_CSUM) != 0) {
            int start = native16(b, 6);
            int offset = native16(b, 8);
            int frame = n - hdr;
            if (start + offset + 2 > frame) {
                return false;
            }
            // the field holds the pseudo-header sum: summing from csum_start over it gives the checksum
            int c = ~TsoCoalescer.fold(TsoCoalescer.sum(b, hdr + start, frame - start)) & 0xffff;
            b.putShort(hdr + start + offset, (short) c);
        }
        return true;
    }

    private static int native16(ByteBuffer b, int at) {
        short v = b.getShort(at);
        return (ByteOrder.nativeOrder() == b.order() ? v : Short.reverseBytes(v)) & 0xffff;
    }
}
