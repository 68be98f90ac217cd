package org.jioth.vde;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Settings of an {@link EthernetNode}.
 *
 * @param hashSize     MAC table size hint (rounded up to a power of two), as {@code hashsize=}
 * @param hashSeed     seed of the MAC hash, as {@code hashseed=}
 * @param expireTime   age after which a learned MAC is ignored, as {@code expiretime=}
 * @param queueFrames  frames the node queues between senders and deliveries; more are dropped
 * @param nanoClock    the time source (nanoseconds, monotonic); inject a manual one in tests
 */
public record NodeOptions(int hashSize, long hashSeed, Duration expireTime, int queueFrames, LongSupplier nanoClock) {
    public static final int DEFAULT_HASH_SIZE = 256;
    public static final Duration DEFAULT_EXPIRE_TIME = Duration.ofSeconds(120);
    public static final int DEFAULT_QUEUE_FRAMES = 256;

    public NodeOptions {
        if (hashSize <= 0 || hashSize > (1 << 24)) {
            throw new IllegalArgumentException("hashSize must be in 1..2^24: " + hashSize);
        }
        if (expireTime.isNegative() || expireTime.isZero()) {
            throw new IllegalArgumentException("expireTime must be positive: " + expireTime);
        }
        if (queueFrames < 1 || queueFrames > 65536) {
            throw new IllegalArgumentException("queueFrames must be in 1..65536: " + queueFrames);
        }
    }

    public static NodeOptions defaults() {
        return new NodeOptions(DEFAULT_HASH_SIZE, 0, DEFAULT_EXPIRE_TIME, DEFAULT_QUEUE_FRAMES, System::nanoTime);
    }

    public NodeOptions withClock(LongSupplier clock) {
        return new NodeOptions(hashSize, hashSeed, expireTime, queueFrames, clock);
    }

    public NodeOptions withExpireTime(Duration expire) {
        return new NodeOptions(hashSize, hashSeed, expire, queueFrames, nanoClock);
    }

    public NodeOptions withHashSize(int size, long seed) {
        return new NodeOptions(size, seed, expireTime, queueFrames, nanoClock);
    }

    public NodeOptions withQueueFrames(int frames) {
        return new NodeOptions(hashSize, hashSeed, expireTime, frames, nanoClock);
    }
}
