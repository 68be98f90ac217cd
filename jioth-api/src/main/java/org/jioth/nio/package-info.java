/**
 * Generic NIO support every plug-in can use: {@code java.net.Socket} and {@code ServerSocket}
 * adapters over any channel, the socket factories of a stack, and a selector for stacks whose
 * channels' readiness is computed in Java.
 *
 * <h2>Channels and selectors of a user-space stack</h2>
 * A stack must hand applications real JDK channel types ({@code SocketChannel},
 * {@code ServerSocketChannel}, {@code DatagramChannel}, {@code Pipe} ends) and a real
 * {@code Selector}, with exactly the JDK's semantics. Those channel types are abstract classes, so
 * the shared machinery is a helper object each channel owns rather than a superclass:
 * <ul>
 *   <li>{@link org.jioth.nio.Readiness}: created by the channel with a callback returning its
 *       ready operations ({@code SelectionKey.OP_*}). The stack calls
 *       {@link org.jioth.nio.Readiness#changed()} (any thread) whenever readiness may have changed,
 *       and the channel's {@code implCloseSelectableChannel()} calls it too. Blocking-mode operations
 *       wait in {@link org.jioth.nio.Readiness#await(int)} / {@link org.jioth.nio.Readiness#await(int, long)},
 *       which park (virtual threads unmount) and end with {@code AsynchronousCloseException} on a
 *       close from another thread, or close the channel and throw
 *       {@code ClosedByInterruptException} on an interrupt.</li>
 *   <li>{@link org.jioth.nio.ReadinessSource}: the interface the channel implements to expose its
 *       {@code Readiness}.</li>
 *   <li>{@link org.jioth.nio.ReadinessSelector}: the selector; it accepts only
 *       {@code ReadinessSource} channels of its own provider ({@code IllegalSelectorException}
 *       otherwise, as the JDK).</li>
 *   <li>{@link org.jioth.nio.ReadinessSelectorProvider}: a provider base whose
 *       {@code openSelector()} returns a {@code ReadinessSelector} and whose {@code openPipe()}
 *       returns an in-memory pipe built on the same machinery; the stack adds its socket
 *       channels.</li>
 * </ul>
 *
 * <p>A stack's socket channel, in outline:
 * <pre>{@code
 * final class MySocketChannel extends SocketChannel implements ReadinessSource {
 *     private final Readiness readiness = new Readiness(this, this::readyOps);
 *     private final MyTcpSocket tcp;              // the stack's state, thread-safe
 *
 *     MySocketChannel(MyProvider provider, MyTcpSocket tcp) {
 *         super(provider);                         // provider extends ReadinessSelectorProvider
 *         this.tcp = tcp;
 *         tcp.onReadinessChange(readiness::changed);  // stack threads call this on every change
 *     }
 *
 *     public Readiness readiness() { return readiness; }
 *
 *     private int readyOps() {                     // error or EOF count as ready, like POLLHUP
 *         int ops = 0;
 *         if (tcp.readable() || tcp.atEof() || tcp.failed()) ops |= SelectionKey.OP_READ;
 *         if (tcp.writable() || tcp.failed()) ops |= SelectionKey.OP_WRITE;
 *         if (tcp.connectFinished()) ops |= SelectionKey.OP_CONNECT;
 *         return ops;
 *     }
 *
 *     public int read(ByteBuffer dst) throws IOException {
 *         while (true) {
 *             int n = tcp.read(dst);               // 0 when nothing buffered, -1 at EOF
 *             if (n != 0 || !isBlocking() || !dst.hasRemaining()) return n;
 *             boolean completed = false;
 *             try {
 *                 begin();                         // an interrupt closes the channel right away
 *                 readiness.await(SelectionKey.OP_READ);
 *                 completed = true;
 *             } finally {
 *                 end(completed);                  // AsynchronousClose / ClosedByInterrupt
 *             }
 *         }
 *     }
 *
 *     protected void implCloseSelectableChannel() {
 *         tcp.close();
 *         readiness.changed();                     // wakes threads blocked in await
 *     }
 *     // ... write, connect (await OP_CONNECT), socket(), options, addresses
 * }
 * }</pre>
 * {@code begin()}/{@code end()} are optional: without them {@code await} closes the channel itself
 * when the interrupted thread wakes (with them the interrupting thread closes it, exactly as the
 * JDK). The package's in-memory pipe ({@code ReadinessSelectorProvider.openPipe()}) is a complete
 * example, and is checked against the JDK's own {@code Pipe} and {@code Selector} by the tests.
 */
package org.jioth.nio;
