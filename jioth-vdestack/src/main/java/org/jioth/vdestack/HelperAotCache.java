package org.jioth.vdestack;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A JDK AOT cache ({@code -XX:AOTCache}, JEP 483/514) for the {@link NamespaceHelper} JVM: its
 * classes loaded and linked ahead of time, so a helper starts faster and with less memory of its
 * own; the mapped cache is shared by every helper of the user.
 *
 * <p>The cache is made on first use, in the background, by one training run of the helper
 * ({@code --aot-training}) with {@code -XX:AOTCacheOutput}; until it exists helpers start without
 * it. It lives in a per-user directory, {@code $XDG_CACHE_HOME/jioth} or {@code ~/.cache/jioth},
 * used only when it is a real directory (not a link) owned by this user and writable by nobody
 * else; it is written under a temporary name and renamed, so a helper never maps a half-written
 * file. Its name is a hash of the JDK, the helper's JVM options and each class path entry's path,
 * size and modification time, so an update never meets a stale cache. The JDK can only cache
 * classes from JAR files: with directories on the class path (a build's test run) there is no
 * cache. {@code -Djioth.vdestack.aot=false} turns it off.
 */
final class HelperAotCache {
    private static final System.Logger LOG = System.getLogger(HelperAotCache.class.getName());
    /** How long the training run may take (it is a small JVM plus the cache assembly). */
    private static final long TRAINING_SECONDS = 120;
    private static final Set<String> TRAINING = ConcurrentHashMap.newKeySet();

    private HelperAotCache() {
    }

    /**
     * The cache file for a helper started with {@code jvmOptions} and {@code classPath}, when it
     * exists and is safe to map; otherwise empty, and a training run is started in the background
     * (once per JVM) when the cache can be made here.
     */
    static Optional<Path> forHelper(List<String> jvmOptions, String classPath) {
        if ("false".equals(System.getProperty("jioth.vdestack.aot"))) {
            return Optional.empty();
        }
        Optional<Path> dir = directory();
        Optional<String> key = key(jvmOptions, classPath);
        if (dir.isEmpty() || key.isEmpty()) {
            return Optional.empty();
        }
        Path cache = dir.get().resolve("vdestack-helper-" + key.get() + ".aot");
        if (isOurs(cache)) {
            return Optional.of(cache);
        }
        if (TRAINING.add(cache.toString())) {
            Thread.ofPlatform().daemon().name("jioth-vdestack-aot-training").start(() -> train(jvmOptions, classPath, cache));
        }
        return Optional.empty();
    }

    /**
     * Runs the training that writes {@code cache}; true when it is there afterwards. A shell renames
     * the finished file, so the cache is completed even when this JVM exits first; a temporary file
     * left by a run that was killed is removed by the next training.
     */
    static boolean train(List<String> jvmOptions, String classPath, Path cache) {
        removeStaleTemporaries(cache);
        Path tmp = cache.resolveSibling(cache.getFileName() + ".tmp-" + UUID.randomUUID());
        List<String> cmd = new ArrayList<>(List.of("sh", "-c",
                "tmp=$1; final=$2; shift 2; \"$@\" && [ -f \"$tmp\" ] && mv -f \"$tmp\" \"$final\"; s=$?;"
                        + " rm -f \"$tmp\" \"$tmp.config\"; exit $s",
                "sh", tmp.toString(), cache.toString()));
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-XX:AOTCacheOutput=" + tmp, "-cp", classPath, NamespaceHelper.class.getName(),
                NamespaceHelper.AOT_TRAINING));
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(TRAINING_SECONDS, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                LOG.log(System.Logger.Level.WARNING, "vdestack: the helper's AOT training run did not end within "
                        + TRAINING_SECONDS + " s; helpers start without an AOT cache");
                return false;
            }
            if (p.exitValue() != 0 || !isOurs(cache)) {
                LOG.log(System.Logger.Level.WARNING, "vdestack: the helper's AOT training run failed (status "
                        + p.exitValue() + "); helpers start without an AOT cache");
                return false;
            }
            LOG.log(System.Logger.Level.DEBUG, () -> "vdestack: helper AOT cache written to " + cache);
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "vdestack: cannot make the helper's AOT cache: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Temporary files of this cache older than an hour: left by a training run that was killed. */
    private static void removeStaleTemporaries(Path cache) {
        String prefix = cache.getFileName() + ".tmp-";
        long hourAgo = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1);
        try (var files = Files.list(cache.getParent())) {
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList()) {
                if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() < hourAgo) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            // best effort
        }
    }

    /** The per-user cache directory, made 0700 if missing; empty when it is not safely ours. */
    static Optional<Path> directory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && xdg.startsWith("/") ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        Path dir = base.resolve("jioth");
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(base);
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            return isOurs(dir) ? Optional.of(dir) : Optional.empty();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** A real file or directory (not a link), owned by this user, writable by nobody else. */
    static boolean isOurs(Path p) {
        try {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(p)) {
                return false;
            }
            int owner = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int us = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
            return owner == us && !perms.contains(PosixFilePermission.GROUP_WRITE) && !perms.contains(PosixFilePermission.OTHERS_WRITE);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return false;
        }
    }

    /** The hash naming the cache, or empty when an entry of the class path is not a JAR file. */
    static Optional<String> key(List<String> jvmOptions, String classPath) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            StringBuilder text = new StringBuilder();
            text.append(System.getProperty("java.home")).append('\n').append(System.getProperty("java.vm.version")).append('\n');
            jvmOptions.forEach(o -> text.append(o).append('\n'));
            for (String entry : classPath.split(File.pathSeparator)) {
                Path jar = Path.of(entry);
                if (!entry.endsWith(".jar") || !Files.isRegularFile(jar)) {
                    return Optional.empty();
                }
                text.append(jar.toAbsolutePath()).append(' ').append(Files.size(jar)).append(' ')
                        .append(Files.getLastModifiedTime(jar).toMillis()).append('\n');
            }
            byte[] h = md.digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return Optional.of(HexFormat.of().formatHex(h, 0, 12));
        } catch (IOException | NoSuchAlgorithmException e) {
            return Optional.empty();
        }
    }
}
