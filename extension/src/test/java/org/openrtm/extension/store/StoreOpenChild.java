package org.openrtm.extension.store;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * Run in a child JVM by {@link StoreTest}: opens the store in {@code args[0]} (keyspaces a and b), prints
 * {@code opened} and closes it, or prints {@code refused: <message>} and exits with 2.
 */
public final class StoreOpenChild {

    private StoreOpenChild() {
    }

    public static void main(final String[] args) {
        final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        try (Store store = Store.open(Path.of(args[0]), StoreOptions.defaults(), List.of("a", "b"),
                ForkJoinPool.commonPool())) {
            out.println("opened " + store.directory());
        } catch (final Exception e) {
            out.println("refused: " + e.getMessage());
            System.exit(2);
        }
    }
}
