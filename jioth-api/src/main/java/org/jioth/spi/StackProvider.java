package org.jioth.spi;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A stack plug-in: the Java counterpart of libioth's {@code ioth_<name>.so}. Found with
 * {@link java.util.ServiceLoader} on the class or module path and in jars under {@code ~/.ioth/}
 * and the directories of {@code $IOTH_PLUGIN_PATH}.
 *
 * <p>A provider that is not {@link #reentrant()} is loaded in a fresh class loader for every stack,
 * so a plug-in that keeps its state in static fields still runs many independent stacks.
 */
public interface StackProvider {

    /** The name {@code Ioth.newStack} asks for, for example {@code "jnet"}. */
    String name();

    /** Other names the plug-in answers to. */
    default List<String> aliases() {
        return List.of();
    }

    /** The plug-in's SPDX licence, checked against {@code Ioth.setLicense} as libioth does. */
    default Optional<String> license() {
        return Optional.empty();
    }

    /** True when one loaded copy can run many stacks; false asks for a class loader per stack. */
    default boolean reentrant() {
        return true;
    }

    /** One line for {@code ioth stacks}. */
    default String description() {
        return "";
    }

    /**
     * Creates a stack: one interface per VNL of the request, options as given after the first
     * comma of the stack string. Failures raise an exception that says what was wrong.
     */
    StackImpl newStack(StackRequest request) throws IOException;
}
