package org.jioth.vdestack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the helper's AOT cache may live, how it is named, and that the training run makes one a helper can map. */
class HelperAotCacheTest {
    /**
     * The helper's classes packed into jars (the JDK caches classes from jars only), a training
     * run, and then a helper run with {@code -XX:AOTMode=on}, which fails if the cache is unusable.
     */
    @Test
    @org.junit.jupiter.api.Timeout(300)
    void theTrainingRunMakesACacheTheHelperCanMap(@TempDir Path dir) throws Exception {
        List<String> jars = new java.util.ArrayList<>();
        for (String entry : HelperProcess.helperClassPath().split(java.io.File.pathSeparator)) {
            Path jar = dir.resolve("cp" + jars.size() + ".jar");
            Path from = Path.of(entry);
            if (Files.isDirectory(from)) {
                pack(from, jar);
            } else {
                Files.copy(from, jar);
            }
            jars.add(jar.toString());
        }
        String cp = String.join(java.io.File.pathSeparator, jars);
        Path cache = dir.resolve("helper.aot");
        assertThat(HelperAotCache.train(OPTIONS, cp, cache)).as("training run").isTrue();
        assertThat(cache).isRegularFile();
        assertThat(HelperAotCache.isOurs(cache)).isTrue();
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no temporary file left").noneMatch(n -> n.contains(".tmp-"));
        }
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(OPTIONS);
        cmd.addAll(List.of("-XX:AOTMode=on", "-XX:AOTCache=" + cache, "-cp", cp, NamespaceHelper.class.getName(),
                NamespaceHelper.AOT_TRAINING));
        org.jioth.testkit.ChildProcess.Result r = org.jioth.testkit.ChildProcess.run(cmd, 120);
        assertThat(r.exitCode()).as("a helper JVM that must map the cache:%n%s", r.output()).isZero();
    }

    private static void pack(Path classes, Path jar) throws Exception {
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar)); var files = Files.walk(classes)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new java.util.jar.JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, out);
                out.closeEntry();
            }
        }
    }

    private static final List<String> OPTIONS = HelperProcess.AOT_OPTIONS;

    @Test
    void theNameFollowsTheJarsAndNoCacheForDirectories(@TempDir Path dir) throws Exception {
        Path a = Files.write(dir.resolve("a.jar"), new byte[] {1, 2, 3});
        Path b = Files.write(dir.resolve("b.jar"), new byte[] {4});
        String cp = a + java.io.File.pathSeparator + b;
        String key = HelperAotCache.key(OPTIONS, cp).orElseThrow();
        assertThat(HelperAotCache.key(OPTIONS, cp)).contains(key);
        Files.setLastModifiedTime(b, FileTime.fromMillis(Files.getLastModifiedTime(b).toMillis() - 5000));
        assertThat(HelperAotCache.key(OPTIONS, cp)).as("a rebuilt jar gets a new cache").isPresent().get().isNotEqualTo(key);
        assertThat(HelperAotCache.key(List.of("-Xint"), cp)).as("other JVM options, another cache").isPresent().get().isNotEqualTo(key);
        assertThat(HelperAotCache.key(OPTIONS, a + java.io.File.pathSeparator + dir)).as("a directory cannot be cached").isEmpty();
        assertThat(HelperAotCache.key(OPTIONS, dir.resolve("missing.jar").toString())).isEmpty();
    }

    @Test
    void onlyAFileOrDirectoryOwnedByUsAndWritableByNobodyElseIsUsed(@TempDir Path dir) throws Exception {
        Path ok = Files.createDirectory(dir.resolve("ok"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        assertThat(HelperAotCache.isOurs(ok)).isTrue();
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwx---"));
        assertThat(HelperAotCache.isOurs(shared)).as("group-writable").isFalse();
        Path file = Files.write(dir.resolve("cache.aot"), new byte[] {0});
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(HelperAotCache.isOurs(file)).isTrue();
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThat(HelperAotCache.isOurs(file)).as("world-writable").isFalse();
        Path link = Files.createSymbolicLink(dir.resolve("link"), ok);
        assertThat(HelperAotCache.isOurs(link)).as("a symbolic link").isFalse();
        assertThat(HelperAotCache.isOurs(dir.resolve("missing"))).isFalse();
    }
}
