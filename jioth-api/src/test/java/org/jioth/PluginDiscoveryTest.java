package org.jioth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plug-ins found in directories, their precedence, and a class loader per stack for the non-reentrant. */
class PluginDiscoveryTest {
    @TempDir
    Path work;

    @AfterEach
    void restore() {
        Ioth.setLicense(null);
    }

    private static IothStack stack(PluginLocator locator, String name) throws IOException {
        return Ioth.create(locator, name, "", List.of());
    }

    @Test
    void nonReentrantJarGetsAClassLoaderPerStackSoStaticsAreIndependent() throws IOException {
        Path dir = work.resolve("plugins");
        PluginJars.build(work, dir.resolve("ioth_single.jar"), "single", true, null);
        PluginLocator locator = PluginJars.locator(dir);
        try (IothStack a = stack(locator, "single"); IothStack b = stack(locator, "single");
             IothStack c = stack(locator, "single")) {
            // Each stack's copy of the plug-in made exactly one stack: three independent statics.
            assertThat(a.statistics()).containsEntry("stacksMade", 1L);
            assertThat(b.statistics()).containsEntry("stacksMade", 1L);
            assertThat(c.statistics()).containsEntry("stacksMade", 1L);
        }
    }

    @Test
    void reentrantJarIsLoadedOnceAndSharedByItsStacks() throws IOException {
        Path dir = work.resolve("plugins");
        PluginJars.build(work, dir.resolve("ioth_shared-r.jar"), "shared", true, null);
        PluginLocator locator = PluginJars.locator(dir);
        try (IothStack a = stack(locator, "shared"); IothStack b = stack(locator, "shared")) {
            assertThat(a.statistics()).containsEntry("myNumber", 1L);
            assertThat(b.statistics()).containsEntry("myNumber", 2L).containsEntry("stacksMade", 2L);
        }
    }

    @Test
    void pluginThatSaysItIsNotReentrantIsIsolatedEvenFromAnRJar() throws IOException {
        Path dir = work.resolve("plugins");
        PluginJars.build(work, dir.resolve("ioth_liar-r.jar"), "liar", false, null);
        PluginLocator locator = PluginJars.locator(dir);
        try (IothStack a = stack(locator, "liar"); IothStack b = stack(locator, "liar")) {
            assertThat(a.statistics()).containsEntry("stacksMade", 1L);
            assertThat(b.statistics()).containsEntry("stacksMade", 1L);
        }
    }

    @Test
    void underscoreNAliasForcesAPrivateLoader() throws IOException {
        Path dir = work.resolve("plugins");
        PluginJars.build(work, dir.resolve("ioth_both-r.jar"), "both", true, null);
        PluginLocator locator = PluginJars.locator(dir);
        try (IothStack a = stack(locator, "both_n"); IothStack b = stack(locator, "both_n")) {
            assertThat(a.statistics()).containsEntry("stacksMade", 1L);
            assertThat(b.statistics()).containsEntry("stacksMade", 1L);
        }
    }

    @Test
    void classPathPluginThatIsNotReentrantGetsAChildFirstLoaderPerStack() throws IOException {
        PluginLocator locator = PluginJars.locator();
        try (IothStack a = Ioth.create(locator, "singleton", "state-of-a", List.of());
             IothStack b = Ioth.create(locator, "singleton", "b", List.of())) {
            assertThat(a.statistics()).containsEntry("stacksMade", 1L).containsEntry("stateLength", 10L);
            assertThat(b.statistics()).containsEntry("stacksMade", 1L).containsEntry("stateLength", 1L);
            assertThat(a.statistics().get("loader")).isNotEqualTo(b.statistics().get("loader"));
        }
    }

    @Test
    void earlierDirectoryWinsAndRJarBeforePlainJarInTheSameDirectory() throws IOException {
        Path home = work.resolve("home");
        Path system = work.resolve("system");
        PluginJars.build(work, home.resolve("ioth_dup.jar"), "dup", true, null);
        PluginJars.build(work, system.resolve("ioth_dup-r.jar"), "dup", true, null);
        PluginLocator locator = PluginJars.locator(home, system);
        try (IothStack a = stack(locator, "dup"); IothStack b = stack(locator, "dup")) {
            // From home's isolating jar: each stack is its copy's first.
            assertThat(b.statistics()).containsEntry("stacksMade", 1L);
        }
        Path both = work.resolve("both");
        PluginJars.build(work, both.resolve("ioth_pair.jar"), "pair", true, null);
        PluginJars.build(work, both.resolve("ioth_pair-r.jar"), "pair", true, null);
        PluginLocator l2 = PluginJars.locator(both);
        try (IothStack a = stack(l2, "pair"); IothStack b = stack(l2, "pair")) {
            assertThat(b.statistics()).containsEntry("stacksMade", 2L);
        }
    }

    @Test
    void directoryPluginsComeBeforeTheClassPath() throws IOException {
        Path dir = work.resolve("plugins");
        PluginJars.build(work, dir.resolve("ioth_recording.jar"), "recording", true, null);
        try (IothStack s = stack(PluginJars.locator(dir), "recording")) {
            assertThat(s.statistics()).containsKey("stacksMade");
        }
    }

    @Test
    void listingShowsDirectoryAndClassPathPluginsWithLicencesAndOrigins() throws IOException {
        Path dir = work.resolve("plugins");
        PluginJars.build(work, dir.resolve("ioth_listed.jar"), "listed", true, "GPL-2.0-or-later");
        List<PluginInfo> all = PluginJars.locator(dir).all();
        assertThat(all).extracting(PluginInfo::name).contains("listed", "recording", "singleton", "gpl3");
        PluginInfo listed = all.stream().filter(p -> p.name().equals("listed")).findFirst().orElseThrow();
        assertThat(listed.license()).contains("GPL-2.0-or-later");
        assertThat(listed.reentrant()).isFalse();
        assertThat(listed.origin()).endsWith("ioth_listed.jar");
        PluginInfo rec = all.stream().filter(p -> p.name().equals("recording")).findFirst().orElseThrow();
        assertThat(rec.origin()).isEqualTo("class path");
        assertThat(rec.aliases()).contains("rec");
    }

    @Test
    void licenceOfADirectoryPluginIsChecked() throws IOException {
        Path dir = work.resolve("plugins");
        PluginJars.build(work, dir.resolve("ioth_gplonly.jar"), "gplonly", true, "GPL-3.0-or-later");
        Ioth.setLicense("MIT");
        assertThatThrownBy(() -> stack(PluginJars.locator(dir), "gplonly"))
                .isInstanceOf(LicenseException.class)
                .hasMessageContaining("GPL-3.0-or-later").hasMessageContaining("MIT");
    }

    @Test
    void missingPluginNamesTheDirectoriesSearched() {
        Path dir = work.resolve("nowhere");
        assertThatThrownBy(() -> stack(PluginJars.locator(dir), "ghost"))
                .isInstanceOf(NoSuchStackException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("ioth_ghost-r.jar")
                .hasMessageContaining("ioth_ghost.jar");
    }
}
