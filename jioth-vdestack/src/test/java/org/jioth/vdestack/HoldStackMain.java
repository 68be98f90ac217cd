package org.jioth.vdestack;

import org.jioth.Ioth;
import org.jioth.IothStack;

/** Opens a vdestack on the VNL given, prints its helper's pid, and waits to be killed. */
public final class HoldStackMain {
    private HoldStackMain() {
    }

    public static void main(String[] args) throws Exception {
        IothStack s = Ioth.newStack("vdestack", args[0]);
        System.out.println("helper " + s.statistics().get("helper.pid"));
        System.out.flush();
        Thread.sleep(120_000);
        System.exit(1);
    }
}
