package org.jioth.vde;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import org.jioth.vde.EthernetNode.Kind;
import org.junit.jupiter.api.Test;

/** Seeded random input: VNL text and frames. Nothing but the documented errors may come out. */
class RobustnessTest {
    private static final String ALPHABET = "abvde:/[]='\"\\%0123456789AFaf.-_ xyz=@";

    @Test
    void randomVnlTextEitherParsesOrRaisesVnlException() {
        Random r = new Random(42);
        VnlSyntax[] syntaxes = {VdeScheme.SYNTAX, NodeScheme.SYNTAX,
                VnlSyntax.address("port", "vni", "ttl", "v6"), VnlSyntax.raw()};
        int parsed = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = r.nextInt(30);
            for (int k = 0; k < n; k++) {
                b.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
            }
            String text = (r.nextBoolean() ? "vde://" : "") + b;
            VnlSyntax syntax = syntaxes[r.nextInt(syntaxes.length)];
            try {
                Vnl vnl = Vnl.parse(text, syntax);
                parsed++;
                assertThat(Vnl.parse(vnl.toString(), syntax)).as("round trip of %s", text).isEqualTo(vnl);
            } catch (VnlException e) {
                assertThat(e.getMessage()).contains(text);
            }
        }
        assertThat(parsed).isGreaterThan(1000);
    }

    @Test
    void randomFramesAreForwardedOrCountedNeverThrown() {
        Random r = new Random(7);
        for (Kind kind : Kind.values()) {
            EthernetNode node = new EthernetNode(kind, NodeOptions.defaults().withHashSize(16, 3));
            NodePort host = node.attachHost("host");
            NodePort[] ports = {host, node.attach("p1"), node.attach("p2"), node.attach("p3")};
            long[] delivered = new long[1];
            for (NodePort p : ports) {
                p.setSink(f -> {
                    assertThat(f.remaining()).isBetween(EthernetPort.MIN_FRAME, EthernetPort.MAX_FRAME);
                    delivered[0]++;
                });
            }
            long accepted = 0, rejected = 0;
            for (int i = 0; i < 5_000; i++) {
                int len = r.nextInt(10) == 0 ? r.nextInt(EthernetPort.MAX_FRAME + 100) : r.nextInt(100);
                byte[] f = new byte[len];
                r.nextBytes(f);
                if (len >= 14 && r.nextBoolean()) {
                    f[0] = 2; // a unicast destination from a small set, so learning happens
                    f[5] = (byte) r.nextInt(8);
                    f[6] = 2;
                    f[11] = (byte) r.nextInt(8);
                }
                if (ports[r.nextInt(ports.length)].send(ByteBuffer.wrap(f))) {
                    accepted++;
                } else {
                    rejected++;
                }
            }
            long badLength = 0;
            for (NodePort p : ports) {
                badLength += p.statistics().droppedBadLength.sum();
            }
            assertThat(badLength).as(kind.name()).isEqualTo(rejected);
            assertThat(accepted).isPositive();
            assertThat(delivered[0]).as(kind.name()).isPositive();
            node.close();
        }
    }
}
