package org.openrtm.broker;

import java.io.PrintStream;
import java.util.Map;

/** Lets tests in other packages run the command line in-process. */
public final class MainAccess {

    private MainAccess() {
    }

    public static int run(final String[] args, final PrintStream out, final PrintStream err, final Map<String, String> env) {
        return Main.run(args, out, err, env);
    }
}
