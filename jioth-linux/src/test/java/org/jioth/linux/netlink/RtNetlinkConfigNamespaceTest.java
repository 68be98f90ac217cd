package org.jioth.linux.netlink;

import org.jioth.testkit.ChildProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.jioth.linux.NativeSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link NetnsScenario} in a child JVM inside a private user+net namespace ({@code unshare -rn}),
 * so configuration is only ever changed there, never in the namespace the tests run in.
 */
class RtNetlinkConfigNamespaceTest {

    @BeforeAll
    static void namespacesAvailable() {
        assumeTrue(NativeSupport.isLinux(), "rtnetlink needs Linux");
        assumeTrue(ChildProcess.works("unshare", "-rn", "true"),
                "'unshare -rn true' failed: unprivileged user+net namespaces are not available here");
    }

    @Test
    void scenarioPassesInAPrivateNamespace() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("unshare", "-rn"));
        cmd.addAll(ChildProcess.javaCommand(NetnsScenario.class));
        ChildProcess.Result r = ChildProcess.run(cmd, 60);
        assertThat(r.exitCode()).as("NetnsScenario output:%n%s", r.output()).isZero();
        assertThat(r.output()).contains("SCENARIO OK", "interfaces():", "ip -j addr:");
    }

    @Test
    void changesWithoutCapNetAdminFailWithEpermAndAHint() throws Exception {
        assumeTrue(ChildProcess.works("unshare", "-rn", "unshare", "-U", "true"),
                "nested user namespaces are not available here");
        // A namespace of our own with lo up, entered by a process in a nested user namespace that
        // holds no capability over it.
        List<String> cmd = new ArrayList<>(List.of("unshare", "-rn", "sh", "-c",
                "ip link set lo up && exec unshare -U \"$@\"", "sh"));
        cmd.addAll(ChildProcess.javaCommand(NetnsScenario.class, "unprivileged"));
        ChildProcess.Result r = ChildProcess.run(cmd, 60);
        assertThat(r.exitCode()).as("NetnsScenario unprivileged output:%n%s", r.output()).isZero();
        assertThat(r.output()).contains("EPERM", "CAP_NET_ADMIN");
    }
}
