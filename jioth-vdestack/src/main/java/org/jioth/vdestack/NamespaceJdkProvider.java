package org.jioth.vdestack;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jioth.linux.netns.NetNamespace;

/**
 * The JDK's own channels, with their sockets created in the stack's namespace: a socket belongs to
 * the network namespace of the thread that creates it, so every {@code open…} runs on one platform
 * thread that has entered the namespace with setns. That needs CAP_SYS_ADMIN over the namespace,
 * which only root has from outside it, so this is the {@code jdk} option of a stack in a JVM run
 * as root. Selectors and pipes are the JDK's and need no namespace.
 */
final class NamespaceJdkProvider extends SelectorProvider implements AutoCloseable {
    private final SelectorProvider jdk = SelectorProvider.provider();
    private final ExecutorService inNamespace;

    private NamespaceJdkProvider(ExecutorService inNamespace) {
        this.inNamespace = inNamespace;
    }

    /** A provider whose sockets are made in the network namespace of process {@code pid}. */
    static NamespaceJdkProvider enter(long pid) throws IOException {
        ExecutorService thread = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("jioth-vdestack-netns-" + pid).factory());
        NamespaceJdkProvider p = new NamespaceJdkProvider(thread);
        try {
            p.call(() -> {
                NetNamespace.enter(Path.of("/proc/" + pid + "/ns/net"));
                return null;
            });
        } catch (IOException e) {
            thread.shutdownNow();
            throw new IOException("vdestack option jdk: cannot enter the namespace of helper " + pid
                    + " (setns needs root): " + e.getMessage(), e);
        }
        return p;
    }

    private <T> T call(Callable<T> task) throws IOException {
        Future<T> f = inNamespace.submit(task);
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while opening a socket in the vdestack namespace");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        }
    }

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return call(jdk::openDatagramChannel);
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        return call(() -> jdk.openDatagramChannel(family));
    }

    @Override
    public Pipe openPipe() throws IOException {
        return jdk.openPipe();
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        return jdk.openSelector();
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        return call(jdk::openServerSocketChannel);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        return call(() -> jdk.openServerSocketChannel(family));
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        return call(jdk::openSocketChannel);
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        return call(() -> jdk.openSocketChannel(family));
    }

    @Override
    public void close() {
        inNamespace.shutdownNow();
    }
}
