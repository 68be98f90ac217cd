package org.jioth.vdestack;

import java.io.IOException;
import java.util.Optional;
import org.jioth.spi.StackImpl;
import org.jioth.spi.StackProvider;
import org.jioth.spi.StackRequest;

/**
 * Plug-in {@code vdestack}, as libioth's: the Linux kernel TCP/IP stack in a private user+network
 * namespace, without privileges. Each VNL becomes a tap ({@code vde0}, {@code vde1}, … or the name
 * in {@code ifname:vnl}); the namespace starts with every link down, as libioth's does. Sockets are
 * descriptor channels ({@code org.jioth.linux.fdnio}); option {@code jdk} ({@code "vdestack,jdk"})
 * gives the JDK's own channels instead, which needs a JVM running as root.
 */
public final class VdestackProvider implements StackProvider {
    @Override
    public String name() {
        return "vdestack";
    }

    @Override
    public Optional<String> license() {
        return Optional.of("LGPL-2.1-or-later");
    }

    @Override
    public String description() {
        return "the Linux kernel stack in a private user+net namespace, taps bridged to the VNLs, no root needed";
    }

    @Override
    public StackImpl newStack(StackRequest request) throws IOException {
        return VdestackStack.create(request);
    }
}
