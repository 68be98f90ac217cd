/**
 * Helpers shared by the port implementations (option reading, delivery checks, receive threads);
 * not exported.
 *
 * <p>The receive-thread model of every port: a native descriptor is watched by the shared
 * {@link org.jioth.linux.unix.Reactor} ({@code vde://}, ptp, seqpacket, clients of a hosted
 * switch), or read by the one stack loop it feeds ({@link org.jioth.vde.DirectReceive}); a receiver
 * that must block in something the reactor cannot watch (a JDK channel, a selector, native
 * {@code poll} on a tap) is started by {@link org.jioth.vde.portsupport.PortBase#startReceiver},
 * which turns anything it throws into the port's failure. Every received frame goes through
 * {@link org.jioth.vde.portsupport.FrameDelivery}.
 */
package org.jioth.vde.portsupport;
