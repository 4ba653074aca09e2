package org.openrtm.examples;

import org.jetbrains.annotations.NotNull;
import org.openrtm.examples.carremote.CarRemote;
import org.openrtm.examples.classroom.Classroom;
import org.openrtm.examples.smarthome.SmartHome;
import org.openrtm.examples.smartplug.CoapAccess;
import org.openrtm.examples.smartplug.SmartPlug;
import org.openrtm.examples.watchchat.WatchChat;
import org.openrtm.examples.whiteboard.Whiteboard;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs examples against a broker started in this process:
 *
 * <pre>
 * java -jar examples/target/rtm-examples.jar watch-chat
 * java -jar examples/target/rtm-examples.jar classroom
 * java -jar examples/target/rtm-examples.jar smart-home
 * java -jar examples/target/rtm-examples.jar car-remote
 * java -jar examples/target/rtm-examples.jar whiteboard
 * java -jar examples/target/rtm-examples.jar smart-plug
 * java -jar examples/target/rtm-examples.jar all
 * java -jar examples/target/rtm-examples.jar --mqtt-port 1883 --coap-port 5683 --http-port 8080 all
 * </pre>
 *
 * Each example narrates what happens and ends with its outcome; the exit status is 0 when every example ran to its
 * end, 1 when one failed, 2 for a usage error. The broker listens on 127.0.0.1, on free MQTT and CoAP ports and without
 * HTTP unless the options say otherwise.
 */
public final class Examples {

    /** A runnable example: runs on a sandbox and returns its outcome. */
    @FunctionalInterface
    public interface Example {
        /**
         * @param sandbox where to run
         * @return the outcome, whose summary is printed at the end
         * @throws Exception if a step fails
         */
        @NotNull ExampleOutcome run(@NotNull Sandbox sandbox) throws Exception;
    }

    /** The examples by command-line name, in order. */
    public static final Map<String, Example> EXAMPLES;

    static {
        final Map<String, Example> m = new LinkedHashMap<>();
        // one line per example: a new one is one more line here (and its README section)
        m.put("watch-chat", s -> new WatchChat(s).run());
        m.put("classroom", s -> new Classroom(s).run());
        m.put("smart-home", s -> new SmartHome(s).run());
        m.put("car-remote", s -> new CarRemote(s).run());
        m.put("whiteboard", s -> new Whiteboard(s).run());
        m.put("smart-plug", s -> new SmartPlug(s, CoapAccess.of(s)).run());
        EXAMPLES = java.util.Collections.unmodifiableMap(m);
    }

    private Examples() {
    }

    /**
     * The command line.
     *
     * @param args the example names, or {@code all}
     */
    public static void main(final String[] args) {
        // quiet HiveMQ and the server: the examples tell their story themselves
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "rtm-examples-logback.xml");
        }
        final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        final PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err));
    }

    /**
     * Runs examples on one embedded broker.
     *
     * @param args the example names, or {@code all}
     * @param out  where the examples narrate
     * @param err  where problems go
     * @return the exit status: 0 all ran, 1 one failed, 2 usage
     */
    public static int run(final String[] args, final PrintStream out, final PrintStream err) {
        final List<String> names = new ArrayList<>();
        final EmbeddedSandbox.Ports ports = new EmbeddedSandbox.Ports();
        String error = null;
        for (int i = 0; i < args.length && error == null; i++) {
            final String a = args[i];
            if (a.startsWith("--")) {
                if (i + 1 >= args.length) {
                    error = a + " needs a port number";
                } else {
                    error = ports.set(a, args[++i]);
                }
            } else if (a.equals("all")) {
                names.addAll(EXAMPLES.keySet());
            } else if (EXAMPLES.containsKey(a)) {
                names.add(a);
            } else {
                error = "unknown example '" + a + "'";
            }
        }
        if (error != null || names.isEmpty()) {
            if (error != null) {
                err.println(error);
            }
            err.println("usage: java -jar rtm-examples.jar [--mqtt-port N] [--coap-port N] [--http-port N|off] "
                    + "<example>... | all");
            err.println("  ports: 0 (the default for MQTT and CoAP) picks a free one; HTTP is off unless given");
            err.println("examples: " + String.join(", ", EXAMPLES.keySet()));
            return 2;
        }
        try (EmbeddedSandbox sandbox = EmbeddedSandbox.start(out, ports)) {
            out.println(sandbox.describe());
            out.println();
            for (final String name : names) {
                out.println("=== " + name + " ===");
                final ExampleOutcome outcome = EXAMPLES.get(name).run(sandbox);
                out.println("outcome: " + outcome.summary());
                out.println();
            }
            return 0;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("interrupted");
            return 1;
        } catch (final Exception e) {
            err.println("the example failed: " + e);
            return 1;
        }
    }
}
