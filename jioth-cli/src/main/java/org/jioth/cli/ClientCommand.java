package org.jioth.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.Callable;
import org.jioth.IothStack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * libioth's iothtest_client: connects to the echo server and joins it to stdin and stdout. Unlike
 * the seed, which stopped at end of input, it half-closes on end of input and prints the echoes
 * still on their way, so piped input is echoed whole.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
        description = {"TCP client of the echo server on a stack (libioth's iothtest_client).",
                "Sends what it reads on stdin, prints what comes back."})
final class ClientCommand implements Callable<Integer> {
    /** The seed moves at most 1024 bytes at a time. */
    private static final int CHUNK = 1024;

    @Parameters(index = "0", paramLabel = "STACK", description = "plug-in name, optionally name,options")
    String stack;

    @Parameters(index = "1..*", paramLabel = "VNL", description = "one interface per VNL (vde0, vde1, ...)")
    List<String> vnls;

    @Option(names = "--addr", defaultValue = "192.168.250.51/24", description = "address/prefix (default ${DEFAULT-VALUE})")
    String address;

    @Option(names = "--gateway", defaultValue = "192.168.250.1", description = "default gateway, '' for none (default ${DEFAULT-VALUE})")
    String gateway;

    @Option(names = "--ifname", defaultValue = "vde0", description = "interface to configure (default ${DEFAULT-VALUE})")
    String ifname;

    @Option(names = "--server", defaultValue = "192.168.250.50", description = "server address (default ${DEFAULT-VALUE})")
    String server;

    @Option(names = {"-p", "--port"}, defaultValue = "5000", description = "server TCP port (default ${DEFAULT-VALUE})")
    int port;

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        SeedNetwork net = SeedNetwork.parse(ifname, address, gateway);
        IothStack s = StackOpener.open(stack, vnls, err);
        if (s == null) {
            return 1;
        }
        try {
            net.apply(s, err);
            try (SocketChannel conn = s.provider().openSocketChannel()) {
                try {
                    conn.connect(new InetSocketAddress(InetAddress.ofLiteral(server), port));
                } catch (IOException e) {
                    err.println("connect " + server + ":" + port + ": " + e.getMessage());
                    return 1;
                }
                relay(conn, System.in, System.out);
            }
            return StackOpener.exitCode(s, "client", err);
        } finally {
            s.closeForcibly();
        }
    }

    /** stdin → socket on a virtual thread, socket → stdout here, until the server closes. */
    static void relay(SocketChannel conn, InputStream in, PrintStream out) throws Exception {
        Thread sender = Thread.ofVirtual().name("ioth-client-stdin").start(() -> {
            byte[] buf = new byte[CHUNK];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    while (bb.hasRemaining()) {
                        conn.write(bb);
                    }
                }
                conn.shutdownOutput();
            } catch (IOException e) {
                // The connection closed under us: the reader sees it and ends.
            }
        });
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        try {
            while (conn.read(buf.clear()) > 0) {
                out.write(buf.array(), 0, buf.position());
                out.flush();
            }
        } catch (IOException e) {
            // Reset by the peer ends the session like end of file.
        }
        sender.interrupt();
    }
}
