package org.jioth.vde;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for tests that need our vde:// client running as another user: joins {@code args[0]},
 * sends a broadcast frame every 100 ms until it receives one, then prints {@code GOT} and exits 0
 * (1 after 20 s without a frame).
 */
public final class VdeClientMain {
    private VdeClientMain() {
    }

    public static void main(String[] args) throws Exception {
        try (EthernetPort port = EthernetPorts.open(args[0])) {
            CountDownLatch got = new CountDownLatch(1);
            port.setSink(frame -> got.countDown());
            byte[] hello = VdeClientInteropTest.frame("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:99", 60, 9);
            for (int i = 0; i < 200; i++) {
                port.send(ByteBuffer.wrap(hello));
                if (got.await(100, TimeUnit.MILLISECONDS)) {
                    System.out.println("GOT");
                    return;
                }
            }
        }
        System.exit(1);
    }
}
