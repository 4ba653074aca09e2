package org.openrtm.sdk.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs a main class of the test class path in a JVM of its own, for what one JVM cannot show. Test code. */
public final class ChildJvm {

    private ChildJvm() {
    }

    /**
     * Runs it to its end and checks that it exited with status 0.
     *
     * @param jvmOptions options of the JVM, e.g. {@code -Xmx64m}
     * @param main       the class with the main method
     * @param args       its arguments
     * @return what it printed (stdout and stderr)
     */
    public static String run(final List<String> jvmOptions, final Class<?> main, final List<String> args)
            throws IOException, InterruptedException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(args);
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final StringBuilder output = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                output.append(line).append('\n');
            }
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(main.getSimpleName() + " ended").isTrue();
        assertThat(p.exitValue()).as(output.toString()).isZero();
        return output.toString();
    }
}
