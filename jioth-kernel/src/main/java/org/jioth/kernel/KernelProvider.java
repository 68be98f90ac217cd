package org.jioth.kernel;

import java.util.List;
import java.util.Optional;
import org.jioth.spi.StackImpl;
import org.jioth.spi.StackProvider;
import org.jioth.spi.StackRequest;

/**
 * Plug-in {@code kernel}: the host stack, as libioth's {@code ioth_kernel}. Sockets are the JDK's
 * own; VNLs and options are ignored, as libioth does; configuration is rtnetlink on the network
 * namespace the JVM runs in (which needs CAP_NET_ADMIN there).
 */
public final class KernelProvider implements StackProvider {
    @Override
    public String name() {
        return "kernel";
    }

    @Override
    public List<String> aliases() {
        return List.of("native");
    }

    @Override
    public Optional<String> license() {
        return Optional.of("LGPL-2.1-or-later");
    }

    @Override
    public String description() {
        return "the host's kernel stack: JDK sockets, rtnetlink configuration of the JVM's namespace";
    }

    @Override
    public StackImpl newStack(StackRequest request) {
        return new KernelStack(request.sockets());
    }
}
