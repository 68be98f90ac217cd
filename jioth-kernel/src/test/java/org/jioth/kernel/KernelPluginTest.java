package org.jioth.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.jioth.IfAddr;
import org.jioth.Ioth;
import org.jioth.IothStack;
import org.jioth.PluginInfo;
import org.jioth.testkit.ChildProcess;
import org.junit.jupiter.api.Test;

class KernelPluginTest {

    @Test
    void isFoundOnTheClassPathWithItsLicence() {
        PluginInfo kernel = Ioth.plugins().stream().filter(p -> p.name().equals("kernel")).findFirst().orElseThrow();
        assertThat(kernel.license()).contains("LGPL-2.1-or-later");
        assertThat(kernel.reentrant()).isTrue();
        assertThat(kernel.origin()).isEqualTo("class path");
    }

    @Test
    void isTheDefaultStackAndReadsTheHostConfigurationWithoutChangingIt() throws Exception {
        IothStack def = Ioth.defaultStack();
        assertThat(def.name()).isEqualTo("kernel");
        // Read-only in the test's own namespace: never change the host's configuration here.
        List<IfAddr> all = def.interfaces();
        assertThat(all).anyMatch(a -> a.isLink() && a.name().equals("lo") && (a.flags() & IfAddr.IFF_LOOPBACK) != 0);
        assertThat(def.ifNameToIndex("lo")).isPositive();
    }

    @Test
    void configuresAndUsesAPrivateNamespace() throws Exception {
        assumeTrue(ChildProcess.works("unshare", "-rn", "true"),
                "'unshare -rn true' failed: unprivileged user+net namespaces are not available here");
        List<String> cmd = new ArrayList<>(List.of("unshare", "-rn"));
        cmd.addAll(ChildProcess.javaCommand(KernelStackScenario.class));
        ChildProcess.Result r = ChildProcess.run(cmd, 90);
        assertThat(r.exitCode()).as("KernelStackScenario output:%n%s", r.output()).isZero();
        assertThat(r.output()).contains("SCENARIO OK", "close refused", "EBUSY");
    }
}
