package org.jioth.vde;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The moment between binding a socket file and setting its permissions, when another user who may
 * write to the directory could swap the name for a symlink. Tests set {@link #afterBind} to play that
 * user at the worst moment, deterministically; it does nothing otherwise.
 */
final class BindSeam {
    static volatile Consumer<Path> afterBind = p -> {
    };

    private BindSeam() {
    }

    static void afterBind(Path socketFile) {
        afterBind.accept(socketFile);
    }
}
