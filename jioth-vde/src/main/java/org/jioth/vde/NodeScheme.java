package org.jioth.vde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code switch://}, {@code hub://}, {@code multi://} and {@code bonding://} (vde-protocols.md §3): this
 * process hosts a node at a directory; the returned port is the node's host port, and closing it
 * closes the node and removes its files. Other processes join with {@code vde://DIR}; {@code vde://DIR}
 * opened in this JVM joins in memory.
 */
public final class NodeScheme implements EthernetScheme {
    static final VnlSyntax SYNTAX = VnlSyntax.path("mode", "dirmode", "grp", "hashsize", "hashseed", "expiretime",
            "maxclients");
    /** Control connections a hosted node serves at once unless {@code maxclients=} says otherwise. */
    static final int DEFAULT_MAX_CLIENTS = 64;

    /** For {@link java.util.ServiceLoader}. */
    public NodeScheme() {
    }

    @Override
    public List<String> names() {
        return List.of("switch", "hub", "multi", "bonding");
    }

    @Override
    public VnlSyntax syntax() {
        return SYNTAX;
    }

    @Override
    public EthernetPort open(Vnl vnl) throws IOException {
        EthernetNode.Kind kind = EthernetNode.Kind.valueOf(vnl.scheme().toUpperCase(Locale.ROOT));
        int mode = vnl.octalOption("mode", 0600) & ~0111; // execute bits cleared
        int dirMode = vnl.hasOption("dirmode") ? vnl.octalOption("dirmode", 02700)
                : vnl.hasOption("mode") ? 02000 | mode | (mode & 0444) >> 2 | (mode & 0222) >> 1 : 02700;
        long hashSize = vnl.longOption("hashsize", NodeOptions.DEFAULT_HASH_SIZE);
        long expire = vnl.longOption("expiretime", NodeOptions.DEFAULT_EXPIRE_TIME.toSeconds());
        if (hashSize < 1 || hashSize > (1 << 24)) {
            throw vnl.error("hashsize=" + hashSize, "hashsize must be in 1..16777216");
        }
        if (expire < 1) {
            throw vnl.error("expiretime=" + expire, "expiretime must be at least 1 second");
        }
        long maxClients = vnl.longOption("maxclients", DEFAULT_MAX_CLIENTS);
        if (maxClients < 1 || maxClients > 65536) {
            throw vnl.error("maxclients=" + maxClients, "maxclients must be in 1..65536");
        }
        NodeOptions options = NodeOptions.defaults().withHashSize((int) hashSize, vnl.longOption("hashseed", 0))
                .withExpireTime(Duration.ofSeconds(expire));
        Path dir = directory(vnl.main());
        EthernetNode node = new EthernetNode(kind, options);
        NodeDirectory served;
        try {
            served = NodeDirectory.serve(dir, node, mode, dirMode, vnl.option("grp").orElse(null), (int) maxClients);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            node.close();
            throw new java.nio.file.FileAlreadyExistsException(dir.toString(), null,
                    "a switch directory must not exist yet (" + vnl.text() + "); remove the stale one");
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        return new HostPort(node.attachHost(vnl.scheme() + "://" + dir + " (host)"), served);
    }

    /** Empty: {@code /tmp/vdenode_<user>}; else realpath(dirname) + "/" + basename. */
    static Path directory(String main) throws IOException {
        if (main.isEmpty()) {
            return Path.of("/tmp/vdenode_" + System.getProperty("user.name", "u" + VdeScheme.euid()));
        }
        Path p = Path.of(main).toAbsolutePath().normalize();
        Path parent = p.getParent();
        return parent == null ? p : parent.toRealPath().resolve(p.getFileName());
    }

    /** The host port: closing it closes the node and its directory. */
    private static final class HostPort implements EthernetPort {
        private final NodePort port;
        private final NodeDirectory served;

        HostPort(NodePort port, NodeDirectory served) {
            this.port = port;
            this.served = served;
        }

        @Override
        public boolean send(ByteBuffer frame) {
            return port.send(frame);
        }

        @Override
        public void flush() {
            port.flush();
        }

        @Override
        public void setSink(FrameSink sink) {
            port.setSink(sink);
        }

        @Override
        public PortStatistics statistics() {
            return port.statistics();
        }

        @Override
        public String description() {
            return port.description();
        }

        @Override
        public boolean hasEnded() {
            return served.failure() != null;
        }

        @Override
        public java.util.Optional<Throwable> failure() {
            return java.util.Optional.ofNullable(served.failure());
        }

        @Override
        public void close() throws IOException {
            port.close();
            served.close();
        }
    }
}
