package org.jioth.vdestack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class VdestackTest {
    static void assumeNamespaces() {
        assumeTrue(ChildProcess.works("unshare", "--user", "--map-root-user", "--net", "true"),
                "'unshare -Urn true' failed: unprivileged user+net namespaces are disabled here, vdestack cannot run");
    }

    @Test
    @Timeout(300)
    void twoStacksOnOneSwitch(@TempDir Path dir) throws Exception {
        assumeNamespaces();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream log = new PrintStream(out, true)) {
            TwoStacksScenario.run(dir, log);
        } finally {
            System.out.print(out);
        }
        assertThat(out.toString()).contains("ping 192.168.250.2", "tcp echo", "udp echo ok", "bulk 64 MB ok",
                "close refused", "SCENARIO OK");
    }
}
