package org.jioth.linux.unix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jioth.linux.ErrnoException;
import org.junit.jupiter.api.Test;

class PeerCredentialsTest {
    @Test
    void thePeerOfOurOwnPairIsThisProcess() throws Exception {
        UnixSocket[] pair = UnixSocket.pair(UnixSocket.Type.SEQPACKET);
        try {
            PeerCredentials peer = PeerCredentials.of(pair[0]);
            assertThat(peer.pid()).isEqualTo((int) ProcessHandle.current().pid());
            assertThat(peer.uid()).isEqualTo((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
            assertThat(peer.gid()).isEqualTo((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid"));
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    @Test
    void aClosedSocketIsAnError() throws Exception {
        UnixSocket[] pair = UnixSocket.pair(UnixSocket.Type.STREAM);
        pair[0].close();
        pair[1].close();
        assertThatThrownBy(() -> PeerCredentials.of(pair[0])).isInstanceOf(ErrnoException.class);
    }
}
