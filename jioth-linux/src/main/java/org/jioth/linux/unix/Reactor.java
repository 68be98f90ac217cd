package org.jioth.linux.unix;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import org.jioth.linux.ErrnoException;

/**
 * One platform thread waiting in {@code epoll_wait} for many descriptors and calling their handlers
 * when they are readable (level triggered). The JVM shares a few of them ({@link #shared()}) among
 * all external ports, so ports need no thread of their own and blocking native calls never run on
 * virtual threads. Handlers run on the reactor thread: they read what is there without blocking
 * and return. Other threads wake the reactor through an eventfd ({@link #execute}).
 *
 * <p>Nothing stops the thread but {@link #close}: any {@link Throwable} of a handler (an
 * {@link OutOfMemoryError} included) cancels that registration only, on a path that allocates
 * nothing (the registration is linked into a list through its own field); its failure callback and
 * a log line follow once the events of the turn are handled, retried a few times if memory is still
 * short. A failing task is dropped the same way, and a failing {@code epoll_wait} fails every
 * registration with its cause before the thread ends, so no port goes deaf silently.
 */
public final class Reactor implements Closeable {
    private static final System.Logger LOG = System.getLogger(Reactor.class.getName());
    private static final int SHARED_COUNT = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors() / 2));
    private static final Reactor[] SHARED = new Reactor[SHARED_COUNT];
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final int WAKEUP = -1;

    /** Called on the reactor thread with the ready epoll events. */
    @FunctionalInterface
    public interface Handler {
        void ready(int events) throws Exception;
    }

    private final String name;
    private final Epoll epoll;
    private final EventFd wakeup;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile AtomicReferenceArray<Registration> table = new AtomicReferenceArray<>(64);
    private final ArrayDeque<Integer> freeSlots = new ArrayDeque<>();
    private int nextSlot;
    private int generation;
    private volatile boolean closed;
    /** Registrations whose handler threw, not yet reported (reactor thread only). */
    private Registration failedHead;
    /** Guarded by {@code wakeup}: set when the thread ends and closes it. */
    private boolean wakeupClosed;
    private static final int REPORT_ATTEMPTS = 3;

    public Reactor(String name) throws ErrnoException {
        this.name = name;
        this.epoll = new Epoll(128);
        this.wakeup = new EventFd();
        epoll.add(wakeup.fd(), Epoll.IN, WAKEUP & 0xffffffffL);
        thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
        thread.start();
    }

    /** One of the JVM's shared reactors (round robin). */
    public static Reactor shared() {
        int i = Math.floorMod(NEXT.getAndIncrement(), SHARED_COUNT);
        synchronized (SHARED) {
            if (SHARED[i] == null || SHARED[i].closed) {
                try {
                    SHARED[i] = new Reactor("jioth-reactor-" + i);
                } catch (ErrnoException e) {
                    throw new IllegalStateException("cannot start an epoll reactor: " + e.getMessage(), e);
                }
            }
            return SHARED[i];
        }
    }

    public boolean isReactorThread() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the reactor thread soon (inline ordering is not promised). */
    public void execute(Runnable task) {
        tasks.add(task);
        synchronized (wakeup) { // the thread may be ending and closing it right now
            if (!wakeupClosed) {
                wakeup.signal();
            }
        }
    }

    /** Watches {@code fd} for {@code interest} (e.g. {@link Epoll#IN}) and calls {@code handler}. */
    public Registration register(int fd, int interest, Handler handler) throws ErrnoException {
        return register(fd, interest, handler, null);
    }

    /**
     * As {@link #register(int, int, Handler)}; when the handler throws, the registration is cancelled
     * and {@code onFailure} gets the cause on the reactor thread (it should only record it: mark the
     * port failed).
     */
    public Registration register(int fd, int interest, Handler handler, Consumer<Throwable> onFailure)
            throws ErrnoException {
        Registration r;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("reactor " + name + " is closed");
            }
            int slot = freeSlots.isEmpty() ? nextSlot++ : freeSlots.pop();
            if (slot >= table.length()) {
                AtomicReferenceArray<Registration> bigger = new AtomicReferenceArray<>(table.length() * 2);
                for (int i = 0; i < table.length(); i++) {
                    bigger.set(i, table.get(i));
                }
                table = bigger;
            }
            r = new Registration(fd, slot, ++generation & 0x7fffffff, handler, onFailure);
            table.set(slot, r);
        }
        try {
            epoll.add(fd, interest, r.token());
        } catch (ErrnoException e) {
            release(r);
            throw e;
        }
        return r;
    }

    private synchronized void release(Registration r) {
        if (table.get(r.slot) == r) {
            table.set(r.slot, null);
            freeSlots.push(r.slot);
        }
    }

    /**
     * Blocks the calling thread (a virtual thread parks cheaply) until {@code fd} is readable or
     * {@code timeout} passes; true when readable. Not for the reactor thread itself.
     */
    public boolean awaitReadable(int fd, Duration timeout) throws IOException, InterruptedException {
        if (isReactorThread()) {
            throw new IllegalStateException("awaitReadable on the reactor thread would deadlock");
        }
        CountDownLatch ready = new CountDownLatch(1);
        Registration r = register(fd, Epoll.IN | Epoll.RDHUP, events -> ready.countDown());
        try {
            return ready.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            CountDownLatch gone = new CountDownLatch(1);
            r.cancel(gone::countDown);
            gone.await();
        }
    }

    private void run() {
        while (!closed) {
            int n;
            try {
                n = epoll.await(failedHead == null ? -1 : 100); // unreported failures: come back soon
            } catch (Throwable e) {
                failAll(e);
                return;
            }
            AtomicReferenceArray<Registration> t = table;
            for (int i = 0; i < n; i++) {
                long token = epoll.token(i);
                int slot = (int) token;
                if (slot == WAKEUP) {
                    wakeup.drain();
                    continue;
                }
                Registration r = slot >= 0 && slot < t.length() ? t.get(slot) : null;
                if (r == null || r.token() != token || r.cancelled) {
                    continue; // cancelled after epoll reported it
                }
                try {
                    r.handler.ready(epoll.events(i));
                } catch (Throwable e) {
                    failed(r, e);
                }
            }
            Runnable task;
            while ((task = tasks.poll()) != null) {
                try {
                    task.run();
                } catch (Throwable e) {
                    try {
                        LOG.log(System.Logger.Level.WARNING, name + ": task failed", e);
                    } catch (Throwable ignored) {
                        // no memory even to log it: the task is dropped, the reactor goes on
                    }
                }
            }
            reportFailures();
        }
        epoll.close();
        closeWakeup();
    }

    private void closeWakeup() {
        synchronized (wakeup) {
            wakeupClosed = true;
            wakeup.close();
        }
    }

    /** The failure path of a handler: allocates nothing. */
    private void failed(Registration r, Throwable cause) {
        r.cancelled = true;
        r.failure = cause;
        try {
            epoll.remove(r.fd); // its fd must not keep the level-triggered loop busy
        } catch (Throwable e) {
            // already closed, or no memory for the error: the cancelled check skips it
        }
        r.nextFailed = failedHead;
        failedHead = r;
    }

    /** Tells the owners of failed registrations, and logs; what cannot be done now is retried later. */
    private void reportFailures() {
        Registration r;
        while ((r = failedHead) != null) {
            try {
                release(r);
                if (r.onFailure != null) {
                    r.onFailure.accept(r.failure);
                }
                LOG.log(System.Logger.Level.WARNING, name + ": handler of fd " + r.fd + " failed; no longer watched",
                        r.failure);
            } catch (VirtualMachineError e) {
                if (++r.reportAttempts < REPORT_ATTEMPTS) {
                    return; // still short of memory: at the next turn
                }
            } catch (Throwable e) {
                // the owner's callback failed: it has been told as well as it can be
            }
            failedHead = r.nextFailed;
            r.nextFailed = null;
        }
    }

    /** epoll itself failed: every registration fails with that cause, then the thread ends. */
    private void failAll(Throwable cause) {
        closed = true;
        try {
            LOG.log(System.Logger.Level.ERROR, name + " stops: " + cause.getMessage(), cause);
        } catch (Throwable ignored) {
            // the registrations below carry the cause
        }
        AtomicReferenceArray<Registration> t = table;
        for (int i = 0; i < t.length(); i++) {
            Registration r = t.get(i);
            if (r != null && !r.cancelled) {
                failed(r, cause);
            }
        }
        for (int i = 0; i < REPORT_ATTEMPTS && failedHead != null; i++) {
            reportFailures();
        }
        try {
            epoll.close();
            closeWakeup();
        } catch (Throwable ignored) {
            // the thread ends either way
        }
    }

    /** Stops the thread through the eventfd wakeup (tasks queued before still run); idempotent. */
    @Override
    public void close() {
        execute(() -> closed = true);
    }

    /** Waits for the thread to end after {@link #close}; true when it has. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return thread.join(timeout);
    }

    /** One watched descriptor. */
    public final class Registration {
        private final int fd;
        private final int slot;
        private final int gen;
        private final Handler handler;
        private final Consumer<Throwable> onFailure;
        private volatile boolean cancelled;
        private Throwable failure;
        private Registration nextFailed;
        private int reportAttempts;

        Registration(int fd, int slot, int gen, Handler handler, Consumer<Throwable> onFailure) {
            this.fd = fd;
            this.slot = slot;
            this.gen = gen;
            this.handler = handler;
            this.onFailure = onFailure;
        }

        long token() {
            return (long) gen << 32 | (slot & 0xffffffffL);
        }

        public int fd() {
            return fd;
        }

        /** Changes the events watched. */
        public void setInterest(int interest) throws ErrnoException {
            epoll.modify(fd, interest, token());
        }

        /**
         * Stops watching. The handler is not called after {@code then} runs; {@code then} runs on
         * the reactor thread once it is past any running handler call, so it may close the fd.
         */
        public void cancel(Runnable then) {
            cancelled = true;
            Runnable finish = () -> {
                try {
                    epoll.remove(fd);
                } catch (ErrnoException e) {
                    // already closed or removed: nothing to undo
                }
                release(this);
                if (then != null) {
                    then.run();
                }
            };
            if (isReactorThread() || closed) {
                finish.run();
            } else {
                execute(finish);
            }
        }
    }
}
