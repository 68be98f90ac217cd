package org.jioth.testplugins;

import java.nio.channels.spi.SelectorProvider;
import java.util.Map;
import org.jioth.NetConfig;
import org.jioth.spi.StackImpl;
import org.jioth.spi.StackProvider;
import org.jioth.spi.StackRequest;
import org.jioth.spi.UnsupportedNetConfig;

/**
 * A plug-in written the singleton way: its state is a static field, so without a class loader per
 * stack two stacks would share it. It says it is not reentrant.
 */
public final class SingletonProvider implements StackProvider {
    /** How many stacks this copy of the class has made. */
    static int stacksMade;
    /** The "global state" of the stack (say, its only interface's name). */
    static String globalState;

    @Override
    public String name() {
        return "singleton";
    }

    @Override
    public boolean reentrant() {
        return false;
    }

    @Override
    public StackImpl newStack(StackRequest request) {
        stacksMade++;
        globalState = request.options();
        return new StackImpl() {
            @Override
            public SelectorProvider provider() {
                return SelectorProvider.provider();
            }

            @Override
            public NetConfig config() {
                return new UnsupportedNetConfig("none");
            }

            @Override
            public Map<String, Long> statistics() {
                return Map.of("stacksMade", (long) stacksMade, "stateLength", (long) globalState.length(),
                        "loader", (long) System.identityHashCode(SingletonProvider.class.getClassLoader()));
            }

            @Override
            public void close() {
            }
        };
    }
}
