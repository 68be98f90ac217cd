package org.jioth.jnet;

import java.io.IOException;
import java.util.Optional;
import org.jioth.spi.StackImpl;
import org.jioth.spi.StackProvider;
import org.jioth.spi.StackRequest;

/**
 * Plug-in {@code jnet}: the pure-Java TCP/IP stack. Reentrant (each stack is an object; no static
 * state). Options: see {@link JnetOptions} and docs/jnet.md.
 */
public final class JnetProvider implements StackProvider {
    /** For {@link java.util.ServiceLoader}. */
    public JnetProvider() {
    }

    @Override
    public String name() {
        return "jnet";
    }

    @Override
    public Optional<String> license() {
        return Optional.of("LGPL-2.1-or-later");
    }

    @Override
    public String description() {
        return "pure-Java dual-stack TCP/IP (IPv4 and IPv6: ARP/NDP, IP with fragments, ICMP/ICMPv6, UDP, TCP,"
                + " SLAAC, MLD/IGMP) on VDE networks; options " + String.join("=,", JnetOptions.KEYS) + "=";
    }

    @Override
    public StackImpl newStack(StackRequest request) throws IOException {
        JnetStack.Builder b = JnetStack.builder().options(JnetOptions.parse(request.options()))
                .sockets(request.sockets());
        try {
            for (String vnl : request.vnls()) {
                b.vnl(vnl);
            }
        } catch (IOException | RuntimeException e) {
            b.abandon();
            throw e;
        }
        return b.build();
    }
}
