package org.jioth;

import java.util.List;
import java.util.Optional;

/**
 * A plug-in that discovery found, as {@code ioth stacks} lists it.
 *
 * @param name        the name it answers to
 * @param aliases     other names
 * @param license     its SPDX licence, if it declares one
 * @param reentrant   false when each stack gets a class loader of its own
 * @param origin      where it came from: a jar path, or "class path"
 * @param description one line from the plug-in
 */
public record PluginInfo(String name, List<String> aliases, Optional<String> license, boolean reentrant,
                         String origin, String description) {
}
