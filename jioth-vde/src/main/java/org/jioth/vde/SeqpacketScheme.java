package org.jioth.vde;

import java.io.IOException;
import java.util.List;
import org.jioth.linux.unix.Reactor;
import org.jioth.linux.unix.UnixSocket;
import org.jioth.vde.portsupport.MessageLink;

/**
 * {@code seqpacket://FD} (vde-protocols.md §11): an already open AF_UNIX SOCK_SEQPACKET descriptor
 * (for example one end of a socketpair inherited from a parent), its number in decimal, hex
 * ({@code 0x..}) or octal ({@code 0..}). One message is one frame. Closing the port closes the fd.
 */
public final class SeqpacketScheme implements EthernetScheme {
    /** For {@link java.util.ServiceLoader}. */
    public SeqpacketScheme() {
    }

    @Override
    public List<String> names() {
        return List.of("seqpacket");
    }

    @Override
    public VnlSyntax syntax() {
        return VnlSyntax.raw();
    }

    @Override
    public EthernetPort open(Vnl vnl) throws IOException {
        int fd = descriptor(vnl);
        SeqpacketPort port = new SeqpacketPort("seqpacket://" + vnl.main(), UnixSocket.adopt(fd, UnixSocket.Type.SEQPACKET));
        try {
            port.start();
        } catch (IOException e) {
            port.close();
            throw new IOException(port.description() + ": cannot watch descriptor " + fd + ": " + e.getMessage(), e);
        }
        return port;
    }

    /** The descriptor number, read as C's strtol with base 0 does. */
    static int descriptor(Vnl vnl) {
        String t = vnl.main().trim();
        try {
            long v;
            if (t.startsWith("0x") || t.startsWith("0X")) {
                v = Long.parseLong(t.substring(2), 16);
            } else if (t.length() > 1 && t.startsWith("0")) {
                v = Long.parseLong(t.substring(1), 8);
            } else {
                v = Long.parseLong(t);
            }
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw vnl.error(vnl.main(), "a descriptor number (decimal, 0x hex or 0 octal) is needed, as in seqpacket://3");
        }
    }

    /** The port: one {@link MessageLink}; ends when the peer hangs up. */
    static final class SeqpacketPort implements EthernetPort {
        private final String description;
        private final PortStatistics statistics = new PortStatistics();
        private final MessageLink link;
        private volatile FrameSink sink;

        SeqpacketPort(String description, UnixSocket socket) {
            this.description = description;
            this.link = new MessageLink(socket, Reactor.shared(), statistics, description, () -> sink, null, true);
        }

        void start() throws IOException {
            link.start();
        }

        @Override
        public boolean send(java.nio.ByteBuffer frame) {
            return link.send(frame);
        }

        @Override
        public void setSink(FrameSink sink) {
            this.sink = sink;
        }

        @Override
        public PortStatistics statistics() {
            return statistics;
        }

        @Override
        public String description() {
            return description;
        }

        @Override
        public boolean hasEnded() {
            return link.isClosed();
        }

        @Override
        public java.util.Optional<Throwable> failure() {
            return java.util.Optional.ofNullable(link.failure());
        }

        @Override
        public void close() {
            link.close(null);
        }

        @Override
        public String toString() {
            return description;
        }
    }
}
