package org.openrtm.extension.store;

import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The extension's durable key-value store: MapDB files for the bulk of the data, and in front of them a write-ahead
 * journal and an in-memory layer, so that a write costs one (group-committed) journal append instead of a MapDB
 * transaction.
 *
 * <h2>How a write travels</h2>
 * {@link #write(WriteBatch)} queues the batch for the single writer thread. The writer takes every batch waiting,
 * appends them to the journal as one record, forces the journal to disk if {@link StoreOptions.Sync#ALWAYS}, applies
 * the changes to the <em>active</em> in-memory layer and completes the futures on the callback executor. So a
 * completed write survives {@code kill -9} (the bytes are in the OS), and with {@code ALWAYS} a power cut.
 *
 * <p>Every {@code checkpointInterval}, or once {@code checkpointEntries} changes wait, the writer freezes the active
 * layer and starts a new one and a new journal segment; the checkpoint thread writes the frozen layer into both MapDB
 * copies, one after the other, each with the journal position it covers (see {@link Copies}: MapDB's own transactions
 * do not survive {@code kill -9}), and then deletes the journal segments it no longer needs. On open, the journal after
 * the last checkpoint is replayed into the active layer.
 *
 * <h2>Reads</h2>
 * Reads look at the active layer, then the frozen layer (while a checkpoint runs), then the MapDB copy that is not
 * being written, so they always see the latest completed write. Range scans merge the three.
 *
 * <h2>Threads</h2>
 * All methods are thread-safe. One writer thread ("rtm-<folder>-writer", e.g. rtm-store-writer) owns the journal and
 * the active layer's mutation; one checkpoint thread ("rtm-<folder>-checkpoint") owns MapDB writes. A store opened
 * with {@code shareWriterOf} has no writer thread of its own: the other store's writer serves both from one queue
 * (see {@link #open(Path, StoreOptions, List, Map, Executor, Store)}). Futures complete on the callback executor
 * (which may be {@link #DIRECT}, the writer thread itself).
 */
public final class Store implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Store.class);
    private static final int MAX_GROUP_BYTES = 8 * 1024 * 1024;

    private static final class Val {
        final byte[] value; // null: removed
        final boolean fresh; // the key was created in this layer and exists nowhere below it

        Val(final byte[] value, final boolean fresh) {
            this.value = value;
            this.fresh = fresh;
        }
    }

    /** A value in bytes: a flag byte (1: has a value, 2: fresh), then the value. For grouped layers' arenas. */
    private static final LayerMap.Codec<Val> VAL_CODEC = new LayerMap.Codec<>() {
        @Override
        public int size(final Val v) {
            return 1 + (v.value == null ? 0 : v.value.length);
        }

        @Override
        public void write(final Val v, final byte[] to, final int at) {
            to[at] = (byte) ((v.value == null ? 0 : 1) | (v.fresh ? 2 : 0));
            if (v.value != null) {
                System.arraycopy(v.value, 0, to, at + 1, v.value.length);
            }
        }

        @Override
        public Val read(final byte[] from, final int at, final int length) {
            final byte flags = from[at];
            return new Val((flags & 1) != 0 ? Arrays.copyOfRange(from, at + 1, at + length) : null, (flags & 2) != 0);
        }
    };

    private static final class Layer {
        final List<LayerMap<Val>> maps;
        int size;

        /** @param writers per keyspace its checkpoint writer or null; those that group by prefix get grouped maps */
        Layer(final List<CheckpointWriter> writers) {
            final List<LayerMap<Val>> list = new ArrayList<>(writers.size());
            for (final CheckpointWriter w : writers) {
                list.add(w != null && w.groupsByPrefix() ? new LayerMap.Grouped<>(VAL_CODEC) : new LayerMap.Sorted<>());
            }
            maps = list;
        }
    }

    private static final class Pending {
        final Store store;
        final WriteBatch batch;
        /** Not a write: the store leaves its writer once everything queued before is done. */
        final boolean detach;
        final CompletableFuture<Void> future = new CompletableFuture<>();
        /** Set by the writer thread: the store was closed before this write was taken; it is refused. */
        boolean rejected;

        Pending(final Store store, final WriteBatch batch, final boolean detach) {
            this.store = store;
            this.batch = batch;
            this.detach = detach;
        }
    }

    /**
     * A writer thread and its queue, serving one store or several. Stores that share a writer have their writes
     * taken in one FIFO queue: every loop iteration appends each store's share of the group to that store's journal,
     * and only then applies the changes and completes the futures of all of them.
     */
    private static final class Writer {
        final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
        final List<Store> stores = new CopyOnWriteArrayList<>();
        final Thread thread;

        Writer(final String name) {
            this.thread = new Thread(this::loop, name);
            this.thread.setDaemon(true);
        }

        private long pollMillis() {
            long millis = 1000;
            for (final Store s : stores) {
                millis = Math.min(millis, s.options.checkpointInterval().toMillis());
            }
            return Math.max(1, millis);
        }

        private void housekeeping() {
            for (final Store s : stores) {
                s.housekeeping();
            }
        }

        private void loop() {
            final List<Pending> group = new ArrayList<>();
            final List<Store> touched = new ArrayList<>(2);
            while (true) {
                try {
                    final Pending first = queue.poll(pollMillis(), TimeUnit.MILLISECONDS);
                    if (first == null) {
                        if (stores.isEmpty() && queue.isEmpty()) {
                            break;
                        }
                        housekeeping();
                        continue;
                    }
                    group.add(first);
                    int bytes = encodedSize(first.batch);
                    Pending more;
                    while (bytes < MAX_GROUP_BYTES && (more = queue.poll()) != null) {
                        group.add(more);
                        bytes += encodedSize(more.batch);
                    }
                    List<Store> leaving = null;
                    for (final Pending p : group) {
                        if (p.detach) {
                            if (leaving == null) {
                                leaving = new ArrayList<>(1);
                            }
                            leaving.add(p.store);
                        } else if (!stores.contains(p.store) || (leaving != null && leaving.contains(p.store))) {
                            p.rejected = true; // queued after its store's close
                        } else if (!p.batch.isEmpty() && !touched.contains(p.store)) {
                            touched.add(p.store);
                        }
                    }
                    // every store's journal append first, so that no future completes before all of the group is
                    // journaled: a write queued before another (to any store of this writer) is durable by then
                    final List<Store> failed = new ArrayList<>(0);
                    final List<IOException> errors = new ArrayList<>(0);
                    for (final Store s : touched) {
                        try {
                            s.append(group);
                        } catch (final IOException e) {
                            log.error("Store {} journal write failed; its writes are refused: {}", s.dir, e.toString());
                            log.debug("Journal write failure", e);
                            failed.add(s);
                            errors.add(e);
                        }
                    }
                    for (final Pending p : group) {
                        if (!p.detach && !p.rejected && !failed.contains(p.store)) {
                            p.store.applyOps(p.batch);
                        }
                    }
                    boolean detached = false;
                    for (final Pending p : group) {
                        final int f = failed.indexOf(p.store);
                        if (p.detach) {
                            stores.remove(p.store);
                            detached = true;
                            p.future.complete(null);
                        } else if (p.rejected) {
                            p.future.completeExceptionally(new IOException("the store " + p.store.dir + " is closed"));
                        } else if (f >= 0) {
                            final IOException e = errors.get(f);
                            p.store.callbackExecutor.execute(() -> p.future.completeExceptionally(e));
                        } else {
                            p.store.writes.incrementAndGet();
                            p.store.complete(p.future);
                        }
                    }
                    group.clear();
                    touched.clear();
                    if (detached && stores.isEmpty() && queue.isEmpty()) {
                        break;
                    }
                    housekeeping();
                } catch (final InterruptedException e) {
                    if (stores.isEmpty()) {
                        break;
                    }
                } catch (final RuntimeException e) {
                    log.error("Store writer failed: {}", e.toString());
                    log.debug("Store writer failure", e);
                    for (final Pending p : group) {
                        p.future.completeExceptionally(e);
                    }
                    group.clear();
                    touched.clear();
                }
            }
        }
    }

    private final Path dir;
    private final FolderLock folderLock;
    private final StoreOptions options;
    private final Executor callbackExecutor;
    private final Copies copies;
    private final Map<String, Keyspace> keyspaces = new LinkedHashMap<>();
    private final List<CheckpointWriter> writers = new ArrayList<>();
    private final Journal journal;
    private final Writer writer;
    private final boolean ownWriter;
    private byte[] buffer = new byte[64 * 1024]; // the writer thread's
    private final Thread checkpointer;
    private final Thread syncer;
    private final BlockingQueue<Runnable> checkpointTasks = new LinkedBlockingQueue<>();

    private volatile Layer active;
    private volatile Layer frozen;
    private volatile boolean closing;
    /** A checkpoint failed: no more until a restart (see {@link #checkpoint}). */
    private volatile boolean checkpointsStopped;
    private long lsn;
    private long lastCheckpointNanos = System.nanoTime();
    private final AtomicLong checkpoints = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();

    private Store(
            final Path dir,
            final StoreOptions options,
            final List<String> names,
            final Map<String, CheckpointWriter> checkpointWriters,
            final Executor callbackExecutor,
            final @Nullable Store shareWriterOf,
            final FolderLock folderLock) throws IOException {
        this.dir = dir;
        this.folderLock = folderLock;
        this.options = options;
        this.callbackExecutor = callbackExecutor;
        Files.createDirectories(dir);
        int index = 0;
        final List<Boolean> largeValues = new ArrayList<>(names.size());
        for (final String name : names) {
            keyspaces.put(name, new Keyspace(name, index++));
            final CheckpointWriter w = checkpointWriters.get(name);
            writers.add(w);
            largeValues.add(w != null); // a keyspace with a writer of its own stores blocks
        }
        this.active = new Layer(writers);
        this.journal = new Journal(dir.resolve("journal"), options.sync() == StoreOptions.Sync.ALWAYS);
        this.copies = Copies.open(dir, names, largeValues, journal.firstLsn());
        final long checkpointed = copies.checkpointLsn();
        this.lsn = checkpointed;
        final int[] replayed = {0};
        try {
            journal.replay(body -> {
                final long recordLsn = body.getLong();
                if (recordLsn <= checkpointed) {
                    return;
                }
                applyRecord(body);
                lsn = Math.max(lsn, recordLsn);
                replayed[0]++;
            });
            journal.rotate(lsn + 1);
        } catch (final IOException | RuntimeException e) {
            copies.close();
            throw e;
        }
        if (replayed[0] > 0) {
            log.info("Store {}: replayed {} journal records ({} changes) written after the last checkpoint", dir,
                    replayed[0], active.size);
        }
        // named after the folder, so that the threads of the main store and of the history store are told apart
        final String name = dir.getFileName() == null ? "store" : dir.getFileName().toString();
        if (shareWriterOf == null) {
            this.writer = new Writer("rtm-" + name + "-writer");
            this.ownWriter = true;
        } else {
            if (shareWriterOf.closing) {
                throw new IllegalStateException("cannot share the writer of " + shareWriterOf.dir + ": it is closed");
            }
            this.writer = shareWriterOf.writer;
            this.ownWriter = false;
        }
        this.writer.stores.add(this);
        this.checkpointer = new Thread(this::checkpointLoop, "rtm-" + name + "-checkpoint");
        this.checkpointer.setDaemon(true);
        this.syncer = options.sync() == StoreOptions.Sync.INTERVAL ? new Thread(this::syncLoop, "rtm-store-sync") : null;
        if (ownWriter) {
            writer.thread.start();
        }
        checkpointer.start();
        if (syncer != null) {
            syncer.setDaemon(true);
            syncer.start();
        }
    }

    /**
     * Opens (or creates) a store in {@code dir}.
     *
     * @param dir              the folder for the MapDB file and the journal
     * @param options          durability and checkpoint settings
     * @param keyspaces        the names of the keyspaces, fixed for the life of the store
     * @param callbackExecutor where write futures complete
     * @throws IOException if the files cannot be opened or the journal cannot be read
     */
    public static @NotNull Store open(
            final @NotNull Path dir,
            final @NotNull StoreOptions options,
            final @NotNull List<String> keyspaces,
            final @NotNull Executor callbackExecutor) throws IOException {
        return open(dir, options, keyspaces, Map.of(), callbackExecutor);
    }

    /**
     * Opens (or creates) a store in {@code dir} in which some keyspaces write their checkpoints themselves.
     *
     * @param dir               the folder for the MapDB file and the journal
     * @param options           durability and checkpoint settings
     * @param keyspaces         the names of the keyspaces, fixed for the life of the store
     * @param checkpointWriters keyspace name → how that keyspace is written into MapDB (see {@link CheckpointWriter});
     *                          keyspaces not named get one MapDB entry per key
     * @param callbackExecutor  where write futures complete
     * @throws IOException if the files cannot be opened or the journal cannot be read
     */
    public static @NotNull Store open(
            final @NotNull Path dir,
            final @NotNull StoreOptions options,
            final @NotNull List<String> keyspaces,
            final @NotNull Map<String, CheckpointWriter> checkpointWriters,
            final @NotNull Executor callbackExecutor) throws IOException {
        return open(dir, options, keyspaces, checkpointWriters, callbackExecutor, null);
    }

    /**
     * Opens (or creates) a store that shares the writer thread of another open store instead of starting its own.
     * Writes to both stores are then taken in the order they were queued, by one thread: a write queued before
     * another (to either store) is journaled before that other one's future completes, and one loop iteration
     * journals both stores' waiting writes (one thread wake-up, no second hand-off). The other store must stay open
     * while this one is; closing either finishes its own queued writes first.
     *
     * @param dir               the folder for the MapDB file and the journal
     * @param options           durability and checkpoint settings
     * @param keyspaces         the names of the keyspaces, fixed for the life of the store
     * @param checkpointWriters keyspace name → how that keyspace is written into MapDB (see {@link CheckpointWriter})
     * @param callbackExecutor  where write futures complete
     * @param shareWriterOf     the open store whose writer thread this store uses, or {@code null} for a thread of
     *                          its own
     * @throws IOException if the files cannot be opened or the journal cannot be read
     */
    public static @NotNull Store open(
            final @NotNull Path dir,
            final @NotNull StoreOptions options,
            final @NotNull List<String> keyspaces,
            final @NotNull Map<String, CheckpointWriter> checkpointWriters,
            final @NotNull Executor callbackExecutor,
            final @Nullable Store shareWriterOf) throws IOException {
        for (final String name : checkpointWriters.keySet()) {
            if (!keyspaces.contains(name)) {
                throw new IllegalArgumentException("checkpoint writer for keyspace '" + name
                        + "', which is not one of " + keyspaces);
            }
        }
        // before anything in the folder is read or written: a second process on the same folder must stop here, not
        // after it has replaced a copy the first one is writing (MapDB's own file lock comes too late for that)
        final FolderLock lock = FolderLock.acquire(dir, "store folder");
        boolean opened = false;
        try {
            final Store store = new Store(dir, options, keyspaces, checkpointWriters, callbackExecutor, shareWriterOf,
                    lock);
            opened = true;
            return store;
        } catch (final IOException | RuntimeException e) {
            // MapDB's VolumeIOError and Java's AccessDeniedException say little on their own: name the folder and
            // the operating system's reason
            throw new IOException("cannot open the store in " + dir.toAbsolutePath() + ": " + IoErrors.describe(e), e);
        } finally {
            if (!opened) {
                lock.close();
            }
        }
    }

    /** The keyspace of that name. */
    public @NotNull Keyspace keyspace(final @NotNull String name) {
        final Keyspace ks = keyspaces.get(name);
        if (ks == null) {
            throw new IllegalArgumentException("no keyspace '" + name + "'; the store has " + keyspaces.keySet());
        }
        return ks;
    }

    /**
     * Journals and applies a batch.
     *
     * @return a future that completes (on the callback executor) once the batch is durable per the sync policy and
     *         visible to reads, or fails with the I/O error
     */
    public @NotNull CompletableFuture<Void> write(final @NotNull WriteBatch batch) {
        final Pending p = new Pending(this, batch, false);
        if (closing) {
            p.future.completeExceptionally(new IOException("the store is closed"));
            return p.future;
        }
        writer.queue.add(p);
        return p.future;
    }

    /** The value of {@code key}, or {@code null}. */
    public byte @Nullable [] get(final @NotNull Keyspace ks, final byte @NotNull [] key) {
        final Val a = active.maps.get(ks.index()).get(key);
        if (a != null) {
            return a.value;
        }
        final Layer f = frozen;
        if (f != null) {
            final Val v = f.maps.get(ks.index()).get(key);
            if (v != null) {
                return v.value;
            }
        }
        return copies.readable().map(ks.index()).get(key);
    }

    /** A key and its value. */
    public record Entry(byte @NotNull [] key, byte @NotNull [] value) {
    }

    /**
     * The entries with {@code from <= key < to}, in key order (or reverse), at most {@code limit}.
     *
     * @param from inclusive lower bound
     * @param to   exclusive upper bound, {@code null} for none
     */
    public @NotNull List<Entry> scan(
            final @NotNull Keyspace ks,
            final byte @NotNull [] from,
            final byte @Nullable [] to,
            final boolean descending,
            final int limit) {
        if ((to != null && Arrays.compareUnsigned(from, to) >= 0) || limit <= 0) {
            return List.of();
        }
        // active, then frozen, then MapDB, as in get(): a rotation sets frozen before it replaces active, and a
        // checkpoint switches the readers' copy before it drops frozen, so every layer is seen in one of them
        final Layer a = active;
        final Layer f = frozen;
        final Iterator<Map.Entry<byte[], Val>> ai = a.maps.get(ks.index()).range(from, to, descending);
        final Iterator<Map.Entry<byte[], Val>> fi = f == null ? Collections.emptyIterator()
                : f.maps.get(ks.index()).range(from, to, descending);
        final NavigableMap<byte[], byte[]> b = range(copies.readable().map(ks.index()), from, to);
        final Iterator<Map.Entry<byte[], byte[]>> bi = (descending ? b.descendingMap() : b).entrySet().iterator();
        final List<Entry> out = new ArrayList<>(Math.min(limit, 64));
        Map.Entry<byte[], Val> ae = next(ai);
        Map.Entry<byte[], Val> fe = next(fi);
        Map.Entry<byte[], byte[]> be = next(bi);
        final int sign = descending ? -1 : 1;
        while (out.size() < limit && (ae != null || fe != null || be != null)) {
            byte[] k = null;
            if (ae != null) {
                k = ae.getKey();
            }
            if (fe != null && (k == null || sign * Arrays.compareUnsigned(fe.getKey(), k) < 0)) {
                k = fe.getKey();
            }
            if (be != null && (k == null || sign * Arrays.compareUnsigned(be.getKey(), k) < 0)) {
                k = be.getKey();
            }
            byte[] value = null;
            boolean decided = false;
            if (ae != null && Arrays.equals(ae.getKey(), k)) {
                value = ae.getValue().value;
                decided = true;
                ae = next(ai);
            }
            if (fe != null && Arrays.equals(fe.getKey(), k)) {
                if (!decided) {
                    value = fe.getValue().value;
                    decided = true;
                }
                fe = next(fi);
            }
            if (be != null && Arrays.equals(be.getKey(), k)) {
                if (!decided) {
                    value = be.getValue();
                }
                be = next(bi);
            }
            if (value != null) {
                out.add(new Entry(k, value));
            }
        }
        return out;
    }

    /** Every entry whose key starts with {@code prefix}, in key order, at most {@code limit}. */
    public @NotNull List<Entry> scanPrefix(final @NotNull Keyspace ks, final byte @NotNull [] prefix, final int limit) {
        return scan(ks, prefix, upperBound(prefix), false, limit);
    }

    /**
     * The smallest key greater than every key that starts with {@code prefix}, or {@code null} if there is none
     * (the prefix is empty or all 0xFF).
     */
    public static byte @Nullable [] upperBound(final byte @NotNull [] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xFF) {
                final byte[] bound = Arrays.copyOf(prefix, i + 1);
                bound[i]++;
                return bound;
            }
        }
        return null;
    }

    private static <V> NavigableMap<byte[], V> range(
            final NavigableMap<byte[], V> m, final byte[] from, final byte @Nullable [] to) {
        return to == null ? m.tailMap(from, true) : m.subMap(from, true, to, false);
    }

    private static <T> T next(final Iterator<T> it) {
        return it.hasNext() ? it.next() : null;
    }

    // ------------------------------------------------------------------------------------------------- writer thread

    /** Writer thread: appends this store's writes of {@code group} to its journal as one record. */
    private void append(final List<Pending> group) throws IOException {
        int bytes = 0;
        int ops = 0;
        for (final Pending p : group) {
            if (p.store == this && !p.detach && !p.rejected) {
                bytes += encodedSize(p.batch);
                ops += p.batch.size();
            }
        }
        final int need = bytes + 12;
        if (buffer.length < need) {
            buffer = new byte[Math.max(need, buffer.length * 2)];
        }
        final ByteBuffer body = ByteBuffer.wrap(buffer);
        body.putLong(++lsn);
        body.putInt(ops);
        for (final Pending p : group) {
            if (p.store == this && !p.detach && !p.rejected) {
                for (final WriteBatch.Op op : p.batch.ops()) {
                    encode(body, op);
                }
            }
        }
        journal.append(buffer, body.position(), lsn);
        if (options.sync() == StoreOptions.Sync.ALWAYS) {
            journal.force();
        }
    }

    /** Writer thread: applies a journaled batch to the active layer. */
    private void applyOps(final WriteBatch batch) {
        for (final WriteBatch.Op op : batch.ops()) {
            apply(op.type, op.keyspace.index(), op.key, op.value);
        }
    }

    /** Completes a write's future on the callback executor, or here when that is a direct executor. */
    private void complete(final CompletableFuture<Void> future) {
        if (callbackExecutor == DIRECT) {
            future.complete(null);
        } else {
            callbackExecutor.execute(() -> future.complete(null));
        }
    }

    /**
     * Pass this as the callback executor to complete write futures on the writer thread itself: one thread hand-off
     * less per write. Then every callback attached to a write future must be short and must not block (hand real work
     * to an executor), or it stalls every later write.
     */
    public static final Executor DIRECT = Runnable::run;

    /**
     * With {@link StoreOptions.Sync#INTERVAL}: forces the journal every interval on a thread of its own, so that a
     * slow disk never stalls the writer (the bytes are already with the operating system, which is what a crash of
     * this process needs; the force is for power cuts).
     */
    private void syncLoop() {
        long synced = -1;
        while (!closing) {
            try {
                Thread.sleep(options.syncInterval().toMillis());
            } catch (final InterruptedException e) {
                return;
            }
            final long written = journal.bytesWritten();
            if (written == synced) {
                continue;
            }
            try {
                journal.forceCurrent();
                synced = written;
            } catch (final IOException e) {
                log.warn("Journal sync failed: {}", e.toString());
            }
        }
    }

    private void housekeeping() {
        final long now = System.nanoTime();
        final Layer a = active;
        final boolean due = a.size >= options.checkpointEntries()
                || (a.size > 0 && now - lastCheckpointNanos >= options.checkpointInterval().toNanos());
        if (due && frozen == null && !checkpointsStopped) {
            rotateAndCheckpoint();
        }
    }

    private void rotateAndCheckpoint() {
        final Layer toFlush = active;
        final long upTo = lsn;
        try {
            journal.rotate(upTo + 1);
        } catch (final IOException e) {
            log.error("Cannot start a new journal segment; checkpoint postponed: {}", e.toString());
            return;
        }
        final List<Path> covered = journal.takeClosed();
        frozen = toFlush;
        active = new Layer(writers);
        lastCheckpointNanos = System.nanoTime();
        checkpointTasks.add(() -> checkpoint(toFlush, upTo, covered));
    }

    private void apply(final byte type, final int ks, final byte[] key, final byte[] value) {
        final Layer layer = active;
        final LayerMap<Val> map = layer.maps.get(ks);
        switch (type) {
            case WriteBatch.PUT: {
                final Val old = map.get(key);
                if (map.put(key, new Val(value, old != null && old.fresh)) == null) {
                    layer.size++;
                }
                break;
            }
            case WriteBatch.PUT_NEW:
                if (map.put(key, new Val(value, true)) == null) {
                    layer.size++;
                }
                break;
            case WriteBatch.REMOVE: {
                final Val old = map.get(key);
                if (old != null && old.fresh) {
                    // created in this layer: nothing below has it, so the key can simply vanish
                    map.remove(key);
                    layer.size--;
                } else if (map.put(key, new Val(null, false)) == null) {
                    layer.size++;
                }
                break;
            }
            default:
                throw new IllegalStateException("unknown journal op " + type);
        }
    }

    private static int encodedSize(final WriteBatch b) {
        int n = 0;
        for (final WriteBatch.Op op : b.ops()) {
            n += op.encodedSize();
        }
        return n;
    }

    private static void encode(final ByteBuffer out, final WriteBatch.Op op) {
        out.put(op.type);
        out.putShort((short) op.keyspace.index());
        out.putInt(op.key.length);
        out.put(op.key);
        if (op.value == null) {
            out.putInt(-1);
        } else {
            out.putInt(op.value.length);
            out.put(op.value);
        }
    }

    private void applyRecord(final ByteBuffer body) {
        final int ops = body.getInt();
        for (int i = 0; i < ops; i++) {
            final byte type = body.get();
            final int ks = body.getShort();
            final byte[] key = new byte[body.getInt()];
            body.get(key);
            final int vlen = body.getInt();
            byte[] value = null;
            if (vlen >= 0) {
                value = new byte[vlen];
                body.get(value);
            }
            if (ks < 0 || ks >= keyspaces.size()) {
                log.warn("Journal record names keyspace #{} that this store does not have; change skipped", ks);
                continue;
            }
            apply(type, ks, key, value);
        }
    }

    // --------------------------------------------------------------------------------------------- checkpoint thread

    private void checkpointLoop() {
        while (true) {
            try {
                final Runnable task = checkpointTasks.take();
                task.run();
            } catch (final InterruptedException e) {
                if (closing && checkpointTasks.isEmpty()) {
                    return;
                }
            } catch (final RuntimeException e) {
                log.error("Store checkpoint failed: {}", e.toString());
                log.debug("Checkpoint failure", e);
            }
        }
    }

    private void checkpoint(final Layer layer, final long upTo, final List<Path> covered) {
        final long start = System.nanoTime();
        try {
            // the layer is read once (a grouped layer decodes every record) and written into both copies; it stays
            // readable until the first copy has it, and then the readers' copy is that one
            final List<List<CheckpointWriter.Change>> changes = changes(layer);
            copies.write(copy -> writeChanges(changes, copy), upTo, () -> frozen = null);
        } catch (final IOException | RuntimeException e) {
            // the journal keeps every change since the last whole copy, and a restart replays it; checkpoints stop
            // (the active layer and the journal grow) rather than write over the one whole copy left
            checkpointsStopped = true;
            log.error("Checkpoint into MapDB failed; checkpoints stop until a restart, the journal keeps the changes: "
                    + "{}", e.toString());
            log.debug("Checkpoint failure", e);
            return;
        }
        Journal.delete(covered);
        checkpoints.incrementAndGet();
        log.debug("Checkpoint of {} changes took {} ms", layer.size, (System.nanoTime() - start) / 1_000_000);
    }

    /** Checkpoint thread: each keyspace's changes in the layer, in key order. */
    private static List<List<CheckpointWriter.Change>> changes(final Layer layer) {
        final List<List<CheckpointWriter.Change>> all = new ArrayList<>(layer.maps.size());
        for (final LayerMap<Val> map : layer.maps) {
            final List<CheckpointWriter.Change> changes = new ArrayList<>();
            for (final Iterator<Map.Entry<byte[], Val>> it = map.all(); it.hasNext(); ) {
                final Map.Entry<byte[], Val> e = it.next();
                changes.add(new CheckpointWriter.Change(e.getKey(), e.getValue().value));
            }
            all.add(changes);
        }
        return all;
    }

    /** Checkpoint thread: writes a layer's changes into one copy's maps. */
    private void writeChanges(final List<List<CheckpointWriter.Change>> changes, final Copies.Copy copy) {
        for (int i = 0; i < changes.size(); i++) {
            final NavigableMap<byte[], byte[]> target = copy.map(i);
            final CheckpointWriter writer = writers.get(i);
            if (writer != null) {
                if (!changes.get(i).isEmpty()) {
                    writer.checkpoint(changes.get(i), target);
                }
                continue;
            }
            for (final CheckpointWriter.Change c : changes.get(i)) {
                if (c.value() == null) {
                    target.remove(c.key());
                } else {
                    target.put(c.key(), c.value());
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------ lifecycle

    /** Numbers for metrics and tests. */
    public record Stats(long writes, long checkpoints, int pendingChanges, long journalBytes) {
    }

    public @NotNull Stats stats() {
        return new Stats(writes.get(), checkpoints.get(), active.size, journal.bytesWritten());
    }

    /** Where the store keeps its files. */
    public @NotNull Path directory() {
        return dir;
    }

    /**
     * Finishes queued writes, checkpoints everything into MapDB, and closes the files. Writes after this fail.
     */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        try {
            // everything queued before this is journaled and applied; then the writer forgets this store (and stops,
            // if no other store uses it)
            final Pending leave = new Pending(this, new WriteBatch(), true);
            writer.queue.add(leave);
            leave.future.get(30, TimeUnit.SECONDS);
            if (writer.stores.isEmpty()) {
                writer.thread.join(30_000);
            }
            final CompletableFuture<Void> done = new CompletableFuture<>();
            checkpointTasks.add(() -> {
                try {
                    if (frozen != null || checkpointsStopped) {
                        // an earlier checkpoint failed: keep every segment, the next start replays them
                        log.warn("Store closed with changes that are only in the journal; they are replayed on start");
                        try {
                            journal.finish();
                        } catch (final IOException e) {
                            log.debug("Journal close failed", e);
                        }
                    } else if (active.size == 0) {
                        // everything journaled is in MapDB already: the segments are not needed any more
                        try {
                            journal.finish();
                            Journal.delete(journal.takeClosed());
                        } catch (final IOException e) {
                            log.debug("Journal clean-up at close failed", e);
                        }
                    } else {
                        final Layer last = active;
                        final List<Path> covered;
                        try {
                            journal.finish();
                            covered = journal.takeClosed();
                        } catch (final IOException e) {
                            throw new IllegalStateException(e);
                        }
                        checkpoint(last, lsn, covered);
                    }
                } finally {
                    done.complete(null);
                }
            });
            done.get(60, TimeUnit.SECONDS);
            checkpointer.interrupt();
            checkpointer.join(10_000);
            if (syncer != null) {
                syncer.interrupt();
                syncer.join(10_000);
            }
        } catch (final Exception e) {
            log.warn("Store did not close cleanly ({}); the journal will be replayed on the next start", e.toString());
        } finally {
            try {
                journal.close();
            } catch (final IOException e) {
                log.debug("Journal close failed", e);
            }
            copies.close();
            folderLock.close();
        }
    }
}
