package org.jioth.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Callable;
import org.jioth.IothStack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** libioth's iothtest_server: a TCP echo server on a stack, a virtual thread per connection. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"TCP echo server on a stack (libioth's iothtest_server).",
                "Configures IFNAME up with ADDR and a default route, listens on PORT, echoes every connection."})
final class ServerCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "STACK", description = "plug-in name, optionally name,options")
    String stack;

    @Parameters(index = "1..*", paramLabel = "VNL", description = "one interface per VNL (vde0, vde1, ...)")
    List<String> vnls;

    @Option(names = "--addr", defaultValue = "192.168.250.50/24", description = "address/prefix (default ${DEFAULT-VALUE})")
    String address;

    @Option(names = "--gateway", defaultValue = "192.168.250.1", description = "default gateway, '' for none (default ${DEFAULT-VALUE})")
    String gateway;

    @Option(names = "--ifname", defaultValue = "vde0", description = "interface to configure (default ${DEFAULT-VALUE})")
    String ifname;

    @Option(names = {"-p", "--port"}, defaultValue = "5000", description = "TCP port (default ${DEFAULT-VALUE})")
    int port;

    @Override
    public Integer call() throws IOException {
        PrintStream out = System.out;
        PrintStream err = System.err;
        SeedNetwork net = SeedNetwork.parse(ifname, address, gateway);
        IothStack s = StackOpener.open(stack, vnls, err);
        if (s == null) {
            return 1;
        }
        try {
            net.apply(s, err);
            EchoServer server;
            try {
                server = new EchoServer(s, new InetSocketAddress(port), out, true);
            } catch (IOException e) {
                err.println("bind: " + e.getMessage());
                return 1;
            }
            server.acceptLoop();
            server.close();
            return StackOpener.exitCode(s, "server", err);
        } finally {
            s.closeForcibly();
        }
    }
}
