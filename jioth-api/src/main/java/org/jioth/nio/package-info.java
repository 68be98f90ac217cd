/**
 * Generic NIO helpers every plug-in can use: {@code java.net.Socket} and {@code ServerSocket}
 * adapters over any channel, and the socket factories of a stack.
 */
package org.jioth.nio;
