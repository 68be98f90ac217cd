package org.jioth.vdestack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jioth.Ioth;
import org.jioth.IothStack;

/**
 * What a vdestack costs: opens {@code N} stacks one after the other (each on {@code null://}) and
 * prints, per stack, the time from {@code newStack} until a socket could be opened in it, and its
 * helper's resident set size (RSS) and proportional set size (PSS: pages shared with other
 * processes, such as the JDK's libraries and a shared AOT cache, counted in part). The figures of
 * docs/benchmarks.md ("vdestack helper cost").
 */
public final class HelperCostMain {
    private HelperCostMain() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<IothStack> stacks = new ArrayList<>();
        List<Long> pids = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                IothStack s = Ioth.newStack("vdestack", "null://");
                s.provider().openSocketChannel().close();
                double ms = (System.nanoTime() - t0) / 1e6;
                stacks.add(s);
                long pid = s.statistics().get("helper.pid");
                pids.add(pid);
                System.out.printf("stack %d: usable after %.0f ms%n", i + 1, ms);
            }
            Thread.sleep(1000); // let the last helper settle before reading its memory
            long rssTotal = 0;
            long pssTotal = 0;
            for (int i = 0; i < pids.size(); i++) {
                long rss = kiB("/proc/" + pids.get(i) + "/status", "VmRSS:");
                long pss = kiB("/proc/" + pids.get(i) + "/smaps_rollup", "Pss:");
                rssTotal += rss;
                pssTotal += pss;
                System.out.printf("stack %d: helper pid %d RSS %d KiB PSS %d KiB%n", i + 1, pids.get(i), rss, pss);
            }
            int n2 = Math.max(1, pids.size());
            System.out.printf("helpers: %d, per stack: RSS %d KiB, PSS %d KiB%n", pids.size(), rssTotal / n2, pssTotal / n2);
        } finally {
            for (IothStack s : stacks) {
                s.closeForcibly();
            }
        }
    }

    private static long kiB(String file, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of(file))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
