package org.openrtm.broker.install;

import com.hivemq.embedded.EmbeddedHiveMQ;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A HiveMQ installation without OpenRTM on its classpath, for {@link ExtensionZipIT}: it loads whatever is in the
 * extensions folder, as a real installation does. Arguments: data folder, extensions folder, port.
 */
public final class PlainHiveMqMain {

    private PlainHiveMqMain() {
    }

    public static void main(final String[] args) throws Exception {
        final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        final Path data = Path.of(args[0]);
        final Path conf = data.resolve("conf");
        Files.createDirectories(conf);
        Files.writeString(conf.resolve("config.xml"), "<hivemq><listeners><tcp-listener><port>" + args[2]
                + "</port><bind-address>127.0.0.1</bind-address></tcp-listener></listeners>"
                + "<persistence><mode>in-memory</mode></persistence>"
                + "<anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics></hivemq>");
        final EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder().withConfigurationFolder(conf)
                .withDataFolder(data.resolve("hivemq")).withExtensionsFolder(Path.of(args[1])).build();
        hivemq.start().get(60, TimeUnit.SECONDS);
        out.println("READY");
        Thread.currentThread().join();
    }
}
