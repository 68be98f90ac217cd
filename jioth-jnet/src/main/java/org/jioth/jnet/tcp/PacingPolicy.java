package org.jioth.jnet.tcp;

/**
 * Whether a connection paces its data segments ({@link Pacer}) on its path. Pacing exists so that
 * a window does not meet a short queue that drops (a {@code vde_switch} port toward a slow
 * reader) all at once. It is skipped where that cannot happen at the sender's side and costs
 * throughput:
 *
 * <ul>
 *   <li>the first hop pushes back without loss ({@code EthernetPort.pushesBackLosslessly}: a
 *       {@code vde://} port, whose switch refuses what it cannot take now and the frames wait in
 *       the port's transmit ring), so a burst leaves at the switch's own forwarding rate, one frame
 *       at a time, whatever the sender does; and</li>
 *   <li>the path is short (smallest round trip at most {@link #SHORT_PATH_RTT}): the switch is
 *       the path, nothing between it and the peer holds a burst to release it later. A longer path
 *       (wirefilter's delay line, a real network) may queue the burst and hand it on back to back
 *       to a short queue further on: paced.</li>
 * </ul>
 *
 * On {@code vde://} across one switch, pacing cost bulk 1.1-3x (11x the {@code sendmmsg} calls, 2.8x
 * the loop's sleeps per frame) without fewer drops at the receiver (docs/benchmarks.md, "Bulk,
 * counted: the pacer's cost on this path"). Linux paces CUBIC only under the {@code fq} qdisc.
 * {@code TCP_PACING} set to true, or {@code -Djioth.jnet.pacing=always}, paces on every path.
 */
final class PacingPolicy {
    /**
     * A path is short while its smallest round trip is at most this: one tick of the timestamp
     * clock, as the receiver's short-path window ({@link TcpReceiver#SHORT_PATH_RTT}).
     */
    static final long SHORT_PATH_RTT = 1_000_000L;

    private PacingPolicy() {
    }

    /**
     * Whether to pace: {@code cfg}'s choice, the first hop's push-back ({@code firstHopPushesBack})
     * and the smallest round trip measured ({@code minRtt} ns, negative while none was).
     */
    static boolean paces(TcpConfig cfg, boolean firstHopPushesBack, long minRtt) {
        if (!cfg.pacing) {
            return false;
        }
        if (cfg.pacingOnEveryPath || !firstHopPushesBack) {
            return true;
        }
        return minRtt < 0 || minRtt > SHORT_PATH_RTT;
    }
}
