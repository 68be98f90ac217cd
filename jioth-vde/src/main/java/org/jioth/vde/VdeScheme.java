package org.jioth.vde;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jioth.linux.ErrnoException;
import org.jioth.linux.unix.PeerCredentials;
import org.jioth.linux.unix.PinnedFile;
import org.jioth.linux.unix.Reactor;
import org.jioth.linux.unix.UnixFiles;
import org.jioth.linux.unix.UnixSocket;

/**
 * {@code vde://[dir][[port/option...]]}: a client of a switch (vde-protocols.md §2). A directory
 * served by a {@code switch://} or {@code hub://} node of this JVM is joined in memory instead.
 */
public final class VdeScheme implements EthernetScheme {
    static final VnlSyntax SYNTAX = VnlSyntax.path("", "port", "portgroup", "group", "mode", "reconnect");
    static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);
    private static final String[] DEFAULT_DIRS = {"/var/run/vde.ctl", "/tmp/vde.ctl"};
    private static final String[] FALLBACK_DIRS = {"/var/run", "/var/tmp", "/tmp"};
    private static final Object SEQ_LOCK = new Object();
    private static int seq;

    /** For {@link java.util.ServiceLoader}. */
    public VdeScheme() {
    }

    @Override
    public List<String> names() {
        return List.of("vde");
    }

    @Override
    public VnlSyntax syntax() {
        return SYNTAX;
    }

    @Override
    public EthernetPort open(Vnl vnl) throws IOException {
        // the nameless entry, port= and portgroup= fill one variable: more than one is an error
        String portSpec = null;
        for (var e : vnl.options().entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().equals("port") || e.getKey().equals("portgroup")) {
                if (portSpec != null) {
                    throw vnl.error(e.getKey().isEmpty() ? e.getValue() : e.getKey() + "=" + e.getValue(),
                            "port given twice (a bare value, port= and portgroup= are one setting)");
                }
                portSpec = e.getValue();
            }
        }
        String dir = vnl.main();
        if (dir.isEmpty()) {
            dir = DEFAULT_DIRS[1];
            for (String d : DEFAULT_DIRS) {
                if (Files.exists(Path.of(d))) {
                    dir = d;
                    break;
                }
            }
        }
        Path real;
        try {
            real = Path.of(dir).toRealPath();
        } catch (NoSuchFileException e) {
            throw new ConnectException("no switch at " + dir + " (" + vnl.text() + "): the directory does not exist");
        }
        Integer port = null;
        String portGroup = null;
        if (portSpec != null && !portSpec.isEmpty()) {
            if (portSpec.chars().allMatch(Character::isDigit)) {
                try {
                    port = Integer.parseInt(portSpec);
                } catch (NumberFormatException e) {
                    throw vnl.error(portSpec, "port number too large");
                }
                if (port > 0xffffff) {
                    throw vnl.error(portSpec, "port number too large");
                }
            } else if (portSpec.contains("/") || portSpec.equals("..") || portSpec.equals(".")) {
                throw vnl.error(portSpec, "a port group is a socket name in the switch directory, not a path");
            } else {
                portGroup = portSpec;
            }
        }
        int mode = vnl.octalOption("mode", 0700);
        String description = description("jioth:");

        NodeDirectory hosted = NodeDirectory.lookup(real);
        if (hosted != null) {
            return hosted.node().attach(description + " (in-JVM)");
        }
        long reconnect = vnl.longOption("reconnect", 1);
        if (reconnect != 0 && reconnect != 1) {
            throw vnl.error("reconnect=" + reconnect, "reconnect is 0 (a gone switch ends the port) or 1 (the default)");
        }
        Integer fixedPort = port;
        String fixedGroup = portGroup;
        String group = vnl.option("group").orElse(null);
        // one set of counters for every connection of the port: they keep counting across reconnects
        PortStatistics statistics = new PortStatistics();
        VdePort first = connect(real, fixedPort, fixedGroup, group, mode, description, statistics);
        if (reconnect == 0) {
            return first;
        }
        return new ReconnectingVdePort(first, real.toString(),
                () -> connect(real, fixedPort, fixedGroup, group, mode, description, statistics));
    }

    /** The connection description as libvdeplug writes it: {@code <descr> user=<name> pid=<pid>}. */
    static String description(String descr) {
        String d = descr + " user=" + System.getProperty("user.name", "?") + " pid=" + ProcessHandle.current().pid();
        String ssh = System.getenv("SSH_CLIENT");
        if (ssh != null && !ssh.isBlank()) {
            d += " SSH=" + ssh.trim().split("\\s+")[0];
        }
        return d.length() > 127 ? d.substring(0, 127) : d;
    }

    static VdePort connect(Path dir, Integer port, String portGroup, String group, int mode, String description)
            throws IOException {
        return connect(dir, port, portGroup, group, mode, description, new PortStatistics());
    }

    /** Connects to the switch at {@code dir}; the connection counts into {@code statistics}. */
    static VdePort connect(Path dir, Integer port, String portGroup, String group, int mode, String description,
            PortStatistics statistics) throws IOException {
        UnixSocket control = UnixSocket.open(UnixSocket.Type.STREAM);
        UnixSocket data = null;
        String dataPath = null;
        boolean ok = false;
        try {
            boolean viaGroup = false;
            if (portGroup != null) {
                try {
                    control.connect(dir.resolve(portGroup).toString());
                    viaGroup = true;
                } catch (ErrnoException e) {
                    control.close();
                    control = UnixSocket.open(UnixSocket.Type.STREAM);
                }
            }
            Path ctl = dir.resolve("ctl");
            if (!viaGroup) {
                try {
                    control.connect(ctl.toString());
                } catch (ErrnoException e) {
                    throw (IOException) new ConnectException("cannot reach the switch at " + ctl + ": "
                            + e.getMessage()).initCause(e);
                }
            }
            PeerCredentials switchOwner = PeerCredentials.of(control.fd());
            // The switch's directory is its owner's: it may swap any name in it. So our socket is
            // owner-only from bind on, and gets its group and mode through a pin, never by path.
            Access access = access(viaGroup ? dir.resolve(portGroup) : ctl, group, mode);
            data = UnixSocket.open(UnixSocket.Type.DATAGRAM);
            data.setFileMode(0600);
            dataPath = bindDataSocket(data, dir);
            BindSeam.afterBind(Path.of(dataPath));
            setAccess(Path.of(dataPath), access, group != null);
            int type = viaGroup ? VdeRequest.REQ_NEW_CONTROL : VdeRequest.typeFor(port);
            if (type == VdeRequest.REQ_NEW_CONTROL) { // a full vde_switch would never answer
                String full = VdeSwitchCapacity.fullMessage(dir, switchOwner.pid());
                if (full != null) {
                    throw new ConnectException(full);
                }
            }
            byte[] request = new VdeRequest(type, dataPath, description).encode();
            int sent;
            try {
                sent = control.send(ByteBuffer.wrap(request));
            } catch (ErrnoException e) { // EPIPE/ECONNRESET: it hung up at once
                throw (IOException) new ConnectException("the switch at " + dir + " refused the port ("
                        + e.errnoName() + " sending the request)").initCause(e);
            }
            if (sent != request.length) {
                throw new IOException("could not send the " + request.length + "-byte request to " + ctl + " in one write");
            }
            String switchSocket = readReply(control, dir);
            connectToSwitch(data, switchSocket, dir, switchOwner);
            // libvdeplug now chmods the path the switch replied with: a path another user chose is
            // never changed here (a hostile switch could point it at our files)
            Files.deleteIfExists(Path.of(dataPath)); // the connected pair keeps working
            VdePort p = new VdePort(description + " on " + dir + " via " + switchSocket, control, data, switchSocket,
                    Reactor.shared(), statistics);
            p.start();
            ok = true;
            return p;
        } finally {
            if (!ok) {
                control.close();
                if (data != null) {
                    data.close();
                }
                if (dataPath != null) {
                    Files.deleteIfExists(Path.of(dataPath));
                }
            }
        }
    }

    private static String readReply(UnixSocket control, Path dir) throws IOException {
        ByteBuffer reply = ByteBuffer.allocate(org.jioth.linux.unix.UnixAddress.SIZE);
        long deadline = System.nanoTime() + REPLY_TIMEOUT.toNanos();
        while (reply.hasRemaining()) {
            int n;
            try {
                n = control.receive(reply);
            } catch (ErrnoException e) { // ECONNRESET: it hung up without reading our request
                throw (IOException) new ConnectException("the switch at " + dir + " refused the port ("
                        + e.errnoName() + " on the control connection)").initCause(e);
            }
            if (n == 0) {
                throw new ConnectException("the switch at " + dir + " refused the port (closed the control connection;"
                        + " a jioth switch does so when it has maxclients= clients or the request names a socket"
                        + " that is not ours: see its log)");
            }
            if (n < 0) {
                long left = deadline - System.nanoTime();
                try {
                    if (left <= 0 || !Reactor.shared().awaitReadable(control.fd(), Duration.ofNanos(left))) {
                        throw new java.net.SocketTimeoutException("no reply from the switch at " + dir + " within "
                                + REPLY_TIMEOUT.toSeconds() + " s (a vde_switch with no free port never answers:"
                                + " see its -n option)");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted waiting for the switch at " + dir);
                }
            }
        }
        String path = org.jioth.linux.unix.UnixAddress.decode(reply.array(), reply.capacity());
        if (path == null) {
            throw new IOException("the switch at " + dir + " replied with no socket address");
        }
        return path;
    }

    /** Binds at {@code dir/.<pid>-<seq>}, or in the fallback directories; returns the path. */
    private static String bindDataSocket(UnixSocket data, Path dir) throws IOException {
        long pid = ProcessHandle.current().pid();
        ErrnoException last = null;
        for (String base : withFallbacks(dir)) {
            while (true) {
                int s;
                synchronized (SEQ_LOCK) {
                    s = seq++;
                }
                String path = base.equals(dir.toString())
                        ? String.format("%s/.%05d-%05d", base, pid, s)
                        : String.format("%s/vde.%d-%05d", base, pid, s);
                try {
                    data.bind(path);
                    return path;
                } catch (ErrnoException e) {
                    last = e;
                    if (!"EADDRINUSE".equals(e.errnoName())) {
                        break; // try the next directory
                    }
                }
            }
        }
        throw new IOException("cannot bind a data socket for the switch at " + dir, last);
    }

    private static List<String> withFallbacks(Path dir) {
        List<String> l = new java.util.ArrayList<>();
        l.add(dir.toString());
        l.addAll(List.of(FALLBACK_DIRS));
        return l;
    }

    /** The group (-1: leave it) and mode our data socket gets (§2.2 step 2). */
    private record Access(int gid, int mode) {
    }

    /**
     * §2.2 step 2, decided before the socket has a name: the group given, else, when the mode grants
     * nothing to group and others and the switch belongs to another user (not root), the group of its
     * control socket with 070 added.
     */
    private static Access access(Path ctl, String group, int mode) throws IOException {
        if (group != null) {
            return new Access(UnixFiles.groupId(group), mode);
        }
        if ((mode & 077) == 0) {
            int owner = (Integer) Files.getAttribute(ctl, "unix:uid");
            if (owner != 0 && owner != UnixFiles.effectiveUid()) {
                return new Access((Integer) Files.getAttribute(ctl, "unix:gid"), mode | 070);
            }
        }
        return new Access(-1, mode);
    }

    /**
     * Sets group and mode of our bound data socket through a pin, so the switch owner cannot swap the
     * name for a link to one of our files. A group we cannot take falls back to 077, as libvdeplug
     * does, unless the VNL named the group.
     */
    private static void setAccess(Path socket, Access access, boolean groupRequired) throws IOException {
        try (PinnedFile f = PinnedFile.open(socket.toString())) {
            if (!f.isSocket() || f.uid() != UnixFiles.effectiveUid()) {
                throw new IOException("our data socket " + socket + " was replaced before its permissions were set"
                        + " (the owner of " + socket.getParent() + " may be hostile); not connecting");
            }
            int mode = access.mode();
            if (access.gid() >= 0) {
                try {
                    f.chgrp(access.gid());
                } catch (ErrnoException e) {
                    if (groupRequired) {
                        throw e;
                    }
                    mode |= 077;
                }
            }
            f.chmod(mode);
        }
    }

    /**
     * Connects to the data socket the switch named only if it lies in the switch's directory and is a
     * socket of the switch's owner (the uid the kernel reports for the control connection), or ours
     * when that owner is root (a {@code vde_switch} run by root gives each port socket to its client's
     * uid; no other user can make a file ours): a hostile switch
     * cannot make us send our frames to another socket of the machine, nor can another user who may
     * write to its directory swap in one of theirs. Check and connect use one pinned inode.
     */
    private static void connectToSwitch(UnixSocket data, String socket, Path dir, PeerCredentials owner)
            throws IOException {
        Path p = Path.of(socket);
        Path parent = p.isAbsolute() ? p.getParent() : null;
        if (parent == null || !parent.toRealPath().equals(dir)) {
            throw new ConnectException("the switch at " + dir + " replied with a socket outside its directory: "
                    + socket + "; not connecting");
        }
        try (PinnedFile f = PinnedFile.open(socket)) {
            boolean givenToUs = owner.uid() == 0 && f.uid() == UnixFiles.effectiveUid(); // only root can chown
            if (!f.isSocket() || f.uid() != owner.uid() && !givenToUs) {
                throw new ConnectException("the switch at " + dir + " (uid " + owner.uid() + ") replied with " + socket
                        + ", which is not a socket of the switch's user or ours; not connecting");
            }
            data.connect(f.procPath());
        }
    }

    static long euid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException(new IOException("cannot read the effective uid", e));
        }
        return -1;
    }
}
