package org.jioth.linux.unix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.jioth.linux.ErrnoException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Touching socket files without following links: PinnedFile, setFileMode, PeerCredentials. */
class PinnedFileTest {
    @Test
    void aSymlinkIsPinnedItselfAndItsTargetIsNeverChanged(@TempDir Path dir) throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "secret");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), victim);
        try (PinnedFile f = PinnedFile.open(link.toString())) {
            assertThat(f.isSocket()).isFalse();
            assertThat(f.isDirectory()).isFalse();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(victim))).isEqualTo("rw-------");
        assertThatThrownBy(() -> PinnedFile.open(dir.resolve("missing").toString())).isInstanceOf(ErrnoException.class)
                .hasMessageContaining("ENOENT");
    }

    @Test
    void theModeIsSetBeforeBindAndChangedThroughThePinNotThePath(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("s");
        try (UnixSocket s = UnixSocket.open(UnixSocket.Type.DATAGRAM);
                UnixSocket c = UnixSocket.open(UnixSocket.Type.DATAGRAM)) {
            s.setFileMode(0600);
            s.bind(p.toString());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).isEqualTo("rw-------");
            try (PinnedFile f = PinnedFile.open(p.toString())) {
                assertThat(f.isSocket()).isTrue();
                assertThat(f.uid()).isEqualTo(UnixFiles.effectiveUid());
                assertThat(f.permissions()).isEqualTo(0600);
                // the name now points elsewhere: the pin still means the bound socket
                Files.move(p, dir.resolve("moved"));
                Path victim = Files.writeString(p, "x");
                Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
                f.chmod(0666);
                f.chgrp(f.gid());
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(victim))).isEqualTo("rw-------");
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("moved"))))
                        .isEqualTo("rw-rw-rw-");
                c.connect(f.procPath());
            }
            assertThat(c.send(ByteBuffer.wrap(new byte[] {1, 2, 3}))).isEqualTo(3);
            ByteBuffer in = ByteBuffer.allocate(8);
            assertThat(s.receive(in)).isEqualTo(3);
        }
    }

    @Test
    void peerCredentialsAreOurs() throws Exception {
        UnixSocket[] pair = UnixSocket.pair(UnixSocket.Type.STREAM);
        try {
            PeerCredentials c = PeerCredentials.of(pair[0].fd());
            assertThat(c.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(c.uid()).isEqualTo(UnixFiles.effectiveUid());
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }
}
