package org.jioth.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs test peers: a command (often a JVM under unshare) to completion, output captured, killed with its children on timeout. */
public final class ChildProcess {
    public record Result(int exitCode, String output) {
    }

    private ChildProcess() {
    }

    /** The command line of this JVM's java running {@code mainClass} on this class path. */
    public static List<String> javaCommand(Class<?> mainClass, String... args) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    public static Result run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("jioth-child-", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            if (finished) {
                NamespaceLedger.noteIfMade(command, p.exitValue());
            }
            return new Result(finished ? p.exitValue() : -1,
                    finished ? out : out + "\n(killed after " + timeoutSeconds + " s)");
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    /** True when {@code command} runs and exits 0 within 20 s. */
    public static boolean works(String... command) {
        try {
            return run(List.of(command), 20).exitCode() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
