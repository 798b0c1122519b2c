package io.pairgate.store.json;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pairgate.RequestId;
import io.pairgate.DeviceId;
import io.pairgate.ErrorCode;
import io.pairgate.PairgateException;
import io.pairgate.Role;
import io.pairgate.StoreCorruptException;
import io.pairgate.StoreException;
import io.pairgate.spi.ChangeListener;
import io.pairgate.spi.ChangeSubscription;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.PendingCount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default {@link PairingStore}: one JSON file per device in a directory that an
 * operator can read, diff and back up.
 *
 * <pre>{@code
 * try (JsonPairingStore store = JsonPairingStore.open(Path.of("/var/lib/gateway/pairing"))) {
 *   PairingService pairing = PairingService.builder(store).build();
 *   ...
 * }
 * }</pre>
 *
 * <p>Guarantees (details in {@code docs/store-json.md}):
 *
 * <ul>
 *   <li><b>Durable, atomic changes.</b> When {@link #compareAndSet} returns {@code true} the whole
 *       record of the device (paired record, pending request, block flag, remembered request ids)
 *       has been replaced by a temp file, {@code fsync}, atomic rename and directory
 *       {@code fsync}: it survives {@code kill -9} and power loss, and is never torn.
 *   <li><b>O(1) per change.</b> A change writes one file of one device, whatever the fleet size.
 *   <li><b>Several processes.</b> Any number of processes (a gateway and the {@code pairgate} CLI)
 *       may open the same directory. Changes are serialized by a lock file and checked against the
 *       version read inside the lock, so no update is lost; a change committed by one process is
 *       visible to every other process's next {@link #load}, {@link #findByRequestId} or
 *       {@link #list} call that starts after the commit returned (through a shared memory-mapped
 *       change journal; nothing is polled).
 *   <li><b>Corruption is an error, never emptiness.</b> A truncated, unparsable or
 *       schema-violating file is reported as a {@link StoreCorruptException} naming the file and
 *       the problem (a newer format as a {@link StoreFormatException}), and is never overwritten.
 *       A read-write open refuses a store with a truncated, unparsable, misplaced or newer-format
 *       device file (with {@link Builder#verifyOnOpen()}, with any schema violation too; otherwise
 *       those surface when the device is read or changed); a {@linkplain Builder#readOnly()
 *       read-only} open works around them; {@link #check(Path)} lists every problem and
 *       {@link #quarantine(Path, Path)} moves a bad device file aside so that the rest of the
 *       store opens again.
 *   <li><b>Connects do not write.</b> {@link #touch} only records access times in memory; they
 *       are written at most once per {@linkplain Builder#touchFlushInterval flush interval} (and on
 *       {@link #close()}) without changing record versions. A crash loses at most the access
 *       times of that interval, never anything else.
 * </ul>
 *
 * <p>Thread-safe. Reads are served from a bounded cache validated against the change journal;
 * changes are serialized per store directory (one {@code fsync}ed change at a time).
 */
public final class JsonPairingStore implements PairingStore {
  private static final Logger LOG = LoggerFactory.getLogger(JsonPairingStore.class);
  private static final int FLUSH_CHUNK = 64;

  /** A cached read of one device file: the record, or none. */
  private record Entry(@Nullable DeviceRecord record) {
    static final Entry ABSENT = new Entry(null);

    static Entry of(@Nullable DeviceRecord r) {
      return r == null ? ABSENT : new Entry(r);
    }
  }

  private final Layout layout;
  private final boolean readOnly;
  private final Duration lockTimeout;
  private final Clock clock;
  private final int scanThreads;
  private final boolean verifyOnOpen;
  private final @Nullable StoreLock lock;
  private final Cache<String, Entry> cache;
  private final boolean caching;
  private final ConcurrentHashMap<String, Touch> touches = new ConcurrentHashMap<>();
  private final @Nullable ScheduledExecutorService flusher;

  // Kept current by sync(); all mutations happen while holding syncLock.
  private final ReentrantLock syncLock = new ReentrantLock();
  private volatile @Nullable ChangeJournal journal;
  private volatile Index index;
  private volatile Map<String, StoreProblem> corrupt;
  private volatile long seenSeq;
  private volatile long seenInFlight = -1;
  private volatile Set<String> inFlightIds = Set.of();
  private volatile boolean allInFlight;
  private volatile long nextJournalAttachNanos;

  private volatile boolean closed;
  private final Object closeMonitor = new Object();

  private JsonPairingStore(Builder b) {
    this.layout = new Layout(b.directory.toAbsolutePath().normalize());
    this.readOnly = b.readOnly;
    this.lockTimeout = b.lockTimeout;
    this.clock = b.clock;
    this.scanThreads = b.scanThreads;
    this.verifyOnOpen = b.verifyOnOpen;
    this.cache = Caffeine.newBuilder().maximumSize(b.cacheSize).build();
    this.caching = b.cacheSize > 0;
    try {
      if (readOnly) {
        openReadOnly(b);
        this.lock = null;
        this.flusher = null;
      } else {
        this.lock = openReadWrite(b);
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "pairgate-json-flush " + layout.root.getFileName());
          t.setDaemon(true);
          return t;
        });
      }
    } catch (IOException e) {
      throw new StoreException("cannot open store " + layout.root + ": " + e, true, e);
    }
  }

  /** Starts the background flush once the store is fully constructed. */
  private JsonPairingStore started(Duration touchFlushInterval) {
    if (flusher != null) {
      long ms = touchFlushInterval.toMillis();
      flusher.scheduleWithFixedDelay(this::backgroundFlush, ms, ms, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /**
   * Opens (creating if needed) the read-write store in {@code directory} with default options.
   *
   * @throws StoreCorruptException if a store file is unreadable (see {@link #check(Path)})
   * @throws StoreFormatException if the store was written by a newer Pairgate
   * @throws StoreException if the directory cannot be created, read or locked
   */
  public static JsonPairingStore open(Path directory) {
    return builder(directory).open();
  }

  /** A builder for a store in {@code directory}. */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  // ---------------------------------------------------------------------------------------------
  // opening

  @SuppressWarnings("try") // the lock is held for the block; the guard is unused
  private StoreLock openReadWrite(Builder b) throws IOException {
    Fs.createDirectories(layout.root);
    checkDirectories(layout);
    Fs.createFileIfMissing(layout.lock);
    StoreLock l = StoreLock.of(layout.lock);
    boolean ok = false;
    try {
      long c0;
      ChangeJournal j;
      long manifestVersion;
      try (StoreLock.Held h = l.acquire(lockTimeout)) {
        manifestVersion = ensureManifest(true);
        Fs.createDirectories(layout.devices);
        j = ChangeJournal.openForWriting(layout.journal, b.journalSlots);
        j.repair();
        c0 = j.committed();
      }
      Scan scan = Scan.run(layout, scanThreads, verifyOnOpen);
      List<StoreProblem> bad = new ArrayList<>();
      for (StoreProblem p : scan.sortedProblems()) {
        if (p.kind().affectsData()) {
          bad.add(p);
        }
      }
      if (!bad.isEmpty()) {
        throw openFailure(bad);
      }
      if (!scan.tempFiles.isEmpty()) {
        try (StoreLock.Held h = l.acquire(lockTimeout)) {
          for (Path t : scan.tempFiles) {
            Files.deleteIfExists(t); // a writer that died before its rename left it
          }
        }
      }
      this.journal = j;
      this.index = scan.index;
      this.corrupt = new ConcurrentHashMap<>(scan.corrupt);
      this.seenSeq = c0;
      if (manifestVersion < Layout.FORMAT_VERSION || !scan.plaintextTokens.isEmpty()) {
        try (StoreLock.Held h = l.acquire(lockTimeout)) {
          upgradeLocked(j, List.copyOf(scan.plaintextTokens));
        }
      }
      ok = true;
      return l;
    } finally {
      if (!ok) {
        l.close();
      }
    }
  }

  private void openReadOnly(Builder b) throws IOException {
    if (!Files.isDirectory(layout.root)) {
      throw new StoreException("no store at " + layout.root + " (not a directory)", false);
    }
    checkDirectories(layout);
    ensureManifest(false);
    ChangeJournal j = ChangeJournal.openForReading(layout.journal);
    long c0 = j == null ? 0 : j.committed();
    Scan scan = Scan.run(layout, scanThreads, verifyOnOpen);
    this.journal = j;
    this.index = scan.index;
    this.corrupt = new ConcurrentHashMap<>(scan.corrupt);
    this.seenSeq = c0;
  }

  /**
   * Refuses a store directory (or its {@code devices/} and {@code quarantine/} directories) that
   * another user owns or could write, or inner directories that are symbolic links.
   *
   * @throws StoreInsecureException naming the directory
   */
  private static void checkDirectories(Layout layout) throws IOException {
    Fs.checkPrivateDirectory(layout.root, true);
    for (Path d : List.of(layout.devices, layout.quarantine)) {
      if (Files.exists(d, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Fs.checkPrivateDirectory(d, false);
      }
    }
  }

  private static StoreException openFailure(List<StoreProblem> bad) {
    StoreProblem first = bad.get(0);
    String more = bad.size() == 1 ? ""
        : " (and " + (bad.size() - 1) + " more problem" + (bad.size() == 2 ? "" : "s")
            + "; JsonPairingStore.check lists them all)";
    if (first.kind() == StoreProblem.Kind.NEWER_FORMAT) {
      try {
        RecordCodec.decode(Files.readAllBytes(first.file()), first.file().toString(), null);
      } catch (StoreFormatException e) {
        return e;
      } catch (IOException | RuntimeException e) {
        // changed since the scan: report what the scan saw
      }
      return new StoreFormatException(first.file().toString(), "", -1, first.message() + more);
    }
    return new StoreCorruptException(first.file().toString(), first.message() + more
        + "; repair or quarantine the file, or open the store read-only");
  }

  /**
   * Upgrades a formatVersion 1 store (plaintext token secrets) under the store lock: every device
   * file that still holds secrets is rewritten with their SHA-256 hashes instead (each file
   * atomically, with fsync, announced in the journal, its record version unchanged), then the
   * manifest is rewritten with the new formatVersion. Idempotent: a crash part-way leaves files of
   * both versions, which both read the same, and the next read-write open finishes the job.
   */
  private void upgradeLocked(ChangeJournal j, List<String> ids) throws IOException {
    sync();
    int upgraded = 0;
    for (String id : ids) {
      Path file = layout.deviceFile(id);
      byte[] bytes = Fs.readIfExists(file);
      if (bytes == null) {
        continue;
      }
      Json.DeviceSummary d;
      DeviceRecord r;
      try {
        d = RecordCodec.summary(bytes, file.toString(), id);
        if (d.formatVersion() > Layout.PLAINTEXT_TOKENS_VERSION) {
          continue; // another process upgraded it meanwhile
        }
        r = RecordCodec.decode(bytes, file.toString(), id);
      } catch (StoreCorruptException | StoreFormatException e) {
        continue; // reported by check; never rewritten
      }
      write(j, id, file, RecordCodec.encode(r), r);
      upgraded++;
    }
    byte[] m = Fs.readIfExists(layout.manifest);
    if (m != null) {
      Map<String, @Nullable Object> out = Json.object();
      try {
        Json.Obj o = Json.Obj.of(Json.parse(m), "");
        out.put("createdAtMs", Json.epochMs(o.instant("createdAtMs")));
      } catch (Json.ParseFailure | Json.SchemaViolation e) {
        throw new StoreCorruptException(layout.manifest.toString(), "changed while upgrading");
      }
      out.put("format", Layout.STORE_FORMAT);
      out.put("formatVersion", Layout.FORMAT_VERSION);
      Fs.writeDurably(layout.manifest, Json.write(out));
    }
    LOG.info("upgraded store {} to formatVersion {}: {} device file(s) now hold token hashes "
        + "instead of secrets", layout.root, Layout.FORMAT_VERSION, upgraded);
  }

  /**
   * Reads (or, when allowed, creates) {@code store.json} and checks the format; returns its
   * formatVersion.
   */
  private long ensureManifest(boolean mayCreate) throws IOException {
    byte[] bytes = Fs.readIfExists(layout.manifest);
    String file = layout.manifest.toString();
    if (bytes == null) {
      if (!mayCreate) {
        throw new StoreException("no store at " + layout.root + " (" + Layout.MANIFEST
            + " is missing)", false);
      }
      if (Files.isRegularFile(layout.devices.resolve(OpenClawFiles.PAIRED_FILE))
          || Files.isRegularFile(layout.devices.resolve(OpenClawFiles.PENDING_FILE))) {
        throw new StoreException(layout.root + " looks like an OpenClaw state directory, not a "
            + "Pairgate store; import it into a new store with OpenClawFiles.importInto", false);
      }
      if (Files.isDirectory(layout.devices)) {
        throw new StoreCorruptException(file, "missing, but " + layout.devices
            + " exists: the manifest was deleted; restore it from a backup or write it as "
            + "described in docs/store-json.md");
      }
      try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(layout.root)) {
        for (Path p : ds) {
          String n = p.getFileName().toString();
          if (!n.equals(Layout.LOCK) && !Layout.isTempFileName(n)) {
            throw new StoreException(layout.root + " is not empty and holds no Pairgate store ("
                + Layout.MANIFEST + " is missing; found " + n + "); use an empty or new "
                + "directory", false);
          }
        }
      }
      Map<String, @Nullable Object> m = Json.object();
      m.put("format", Layout.STORE_FORMAT);
      m.put("formatVersion", Layout.FORMAT_VERSION);
      m.put("createdAtMs", Json.epochMs(clock.instant()));
      Fs.writeDurably(layout.manifest, Json.write(m));
      return Layout.FORMAT_VERSION;
    }
    try {
      Json.Obj o = Json.Obj.of(Json.parse(bytes), "");
      long fv = RecordCodec.checkFormat(o, file, Layout.STORE_FORMAT);
      o.only(Set.of("format", "formatVersion", "createdAtMs"));
      o.instant("createdAtMs");
      return fv;
    } catch (Json.ParseFailure e) {
      throw new StoreCorruptException(file, e.getMessage(), e);
    } catch (Json.SchemaViolation e) {
      throw new StoreCorruptException(file, "schema violation at " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // reads

  @Override
  public Optional<DeviceRecord> load(DeviceId deviceId) {
    ensureOpen();
    sync();
    return Optional.ofNullable(overlay(read(deviceId.value())));
  }

  @Override
  public Optional<DeviceRecord> findByRequestId(RequestId requestId) {
    ensureOpen();
    sync();
    String id = index.deviceByRequest.get(requestId.value());
    if (id == null) {
      Map<String, StoreProblem> bad = corrupt;
      if (!bad.isEmpty()) {
        StoreProblem p = bad.values().iterator().next();
        throw new StoreCorruptException(p.file().toString(), "request id " + requestId
            + " is not in any readable device file, and " + bad.size()
            + " device file(s) cannot be read (" + p.message() + ")");
      }
      return Optional.empty();
    }
    DeviceRecord r = read(id);
    return r != null && r.knowsRequest(requestId) ? Optional.of(overlay(r)) : Optional.empty();
  }

  @Override
  public List<DeviceRecord> list(String afterDeviceId, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1: " + limit);
    }
    ensureOpen();
    sync();
    List<DeviceRecord> out = new ArrayList<>(Math.min(limit, 1024));
    for (String id : index.deviceIds.tailSet(afterDeviceId, false)) {
      if (out.size() == limit) {
        break;
      }
      DeviceRecord r = read(id);
      if (r != null) {
        out.add(overlay(r));
      }
    }
    return out;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Answered from the in-memory index of pending requests (kept current like every read), so
   * it costs O(pending requests), not O(devices), and reads no file.
   */
  @Override
  public PendingCount countPending(String remoteAddress, Instant now) {
    ensureOpen();
    sync();
    return index.countPending(remoteAddress, now);
  }

  /** {@inheritDoc} Answered from the in-memory index of pending requests, like the above. */
  @Override
  public PendingCount countPending(io.pairgate.policy.IpRange range, Instant now) {
    ensureOpen();
    sync();
    return index.countPending(range, now);
  }

  /** The committed record of {@code id} (cache or file), without pending access times. */
  private @Nullable DeviceRecord read(String id) {
    if (!caching || allInFlight || inFlightIds.contains(id)) {
      return readFile(id); // (or: a change to it may be half-way: do not cache what we see)
    }
    return cache.get(id, this::readEntry).record();
  }

  private Entry readEntry(String id) {
    return Entry.of(readFile(id));
  }

  /** Reads and decodes a device file; notes (and throws) corruption. */
  private @Nullable DeviceRecord readFile(String id) {
    Path f = layout.deviceFile(id);
    byte[] bytes;
    try {
      bytes = Fs.readIfExists(f);
    } catch (IOException e) {
      throw new StoreException("cannot read " + f + ": " + e, true, e);
    }
    if (bytes == null) {
      return null;
    }
    try {
      return RecordCodec.decode(bytes, f.toString(), id);
    } catch (StoreCorruptException e) {
      corrupt.put(id, Scan.problemOf(f, e));
      throw e;
    } catch (StoreFormatException e) {
      corrupt.put(id, new StoreProblem(f, StoreProblem.Kind.NEWER_FORMAT, Scan.message(e, f)));
      throw e;
    }
  }

  private @Nullable DeviceRecord overlay(@Nullable DeviceRecord r) {
    if (r == null || touches.isEmpty()) {
      return r;
    }
    Touch t = touches.get(r.deviceId().value());
    return t == null ? r : Touch.apply(r, t);
  }

  // ---------------------------------------------------------------------------------------------
  // keeping up with other processes

  /**
   * Applies every change other processes (and other store instances) committed since the last
   * call: invalidates their cache entries and re-reads their request ids. Cheap when nothing
   * changed (two reads of shared memory).
   */
  private void sync() {
    ChangeJournal j = journal;
    if (j == null) {
      attachJournalIfCreated();
      return;
    }
    if (j.committed() == seenSeq && j.inFlight() == seenInFlight) {
      return;
    }
    syncLock.lock();
    try {
      syncLocked(j);
    } finally {
      syncLock.unlock();
    }
  }

  private void syncLocked(ChangeJournal j) {
    while (true) {
      long c = j.committed();
      long f = j.inFlight();
      long seen = seenSeq;
      if (c < seen || c - seen >= j.slots()) {
        rescanLocked(j); // re-initialized journal, or we fell too far behind
        continue;
      }
      if (c > seen) {
        Set<String> ids = new LinkedHashSet<>();
        boolean lost = false;
        for (long s = seen + 1; s <= c; s++) {
          String id = j.deviceAt(s);
          if (id == null) {
            lost = true;
            break;
          }
          ids.add(id);
        }
        if (lost) {
          rescanLocked(j);
          continue;
        }
        for (String id : ids) {
          refreshLocked(id);
        }
        seenSeq = c;
      }
      Set<String> flying = Set.of();
      boolean all = false;
      if (f > c) {
        flying = new HashSet<>();
        for (long s = c + 1; s <= f; s++) {
          String id = j.deviceAt(s);
          if (id == null) {
            all = true;
            break;
          }
          flying.add(id);
        }
      }
      inFlightIds = flying;
      allInFlight = all;
      seenInFlight = f;
      return;
    }
  }

  /** Re-reads one device after another process changed it (caller holds syncLock). */
  private void refreshLocked(String id) {
    cache.invalidate(id);
    DeviceRecord r;
    try {
      r = readFile(id);
    } catch (StoreCorruptException | StoreFormatException e) {
      return; // noted in corrupt; its request ids stay indexed so lookups report the problem
    }
    corrupt.remove(id);
    index.put(id, r);
    cache.put(id, Entry.of(r));
  }

  /** Rebuilds the index from the files (caller holds syncLock). */
  private void rescanLocked(ChangeJournal j) {
    long c0 = j.committed();
    Scan scan;
    try {
      scan = Scan.run(layout, scanThreads, false);
    } catch (IOException e) {
      throw new StoreException("cannot rescan " + layout.devices + ": " + e, true, e);
    }
    cache.invalidateAll();
    index = scan.index;
    corrupt = new ConcurrentHashMap<>(scan.corrupt);
    seenSeq = c0;
    seenInFlight = -1;
  }

  /** Read-only stores opened before any writer: pick the journal up once a writer creates it. */
  private void attachJournalIfCreated() {
    long now = System.nanoTime();
    if (now - nextJournalAttachNanos < 0) {
      return;
    }
    syncLock.lock();
    try {
      if (journal != null) {
        return;
      }
      nextJournalAttachNanos = now + 1_000_000_000L;
      ChangeJournal j = ChangeJournal.openForReading(layout.journal);
      if (j != null) {
        rescanLocked(j);
        journal = j;
      }
    } catch (IOException e) {
      // not yet usable; try again later
    } finally {
      syncLock.unlock();
    }
  }

  /** Records what a read under the store lock found. */
  private void observedLocally(String id, @Nullable DeviceRecord r) {
    syncLock.lock();
    try {
      cache.put(id, Entry.of(r));
      index.put(id, r);
      corrupt.remove(id);
    } finally {
      syncLock.unlock();
    }
  }

  /** Publishes our own committed change locally (caller holds the store lock). */
  private void committedLocally(long s, String id, @Nullable DeviceRecord r) {
    syncLock.lock();
    try {
      cache.put(id, Entry.of(r));
      index.put(id, r);
      corrupt.remove(id);
      if (seenSeq == s - 1) {
        // we hold the store lock: nobody else can have a change in flight
        seenSeq = s;
        inFlightIds = Set.of();
        allInFlight = false;
        seenInFlight = s;
      }
    } finally {
      syncLock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // writes

  /**
   * {@inheritDoc}
   *
   * <p>Takes the store lock (waiting at most the {@linkplain Builder#lockTimeout lock timeout}),
   * reads the device file inside it, compares versions, and replaces the file durably.
   *
   * @throws StoreCorruptException if the current file is unreadable (it is left untouched)
   * @throws StoreException if the store is read-only or closed, the lock times out, or the write
   *     fails (the outcome is then unknown: retry, the version check makes it safe)
   */
  @SuppressWarnings("try") // the lock is held for the block; the guard is unused
  @Override
  public boolean compareAndSet(long expectedVersion, DeviceRecord next) {
    if (next.version() != expectedVersion + 1) {
      throw new IllegalArgumentException("next.version must be expectedVersion + 1: "
          + next.version() + " vs " + expectedVersion);
    }
    ensureWritable();
    String id = next.deviceId().value();
    byte[] data = next.isEmpty() ? null : RecordCodec.encode(next);
    Path file = layout.deviceFile(id);
    try (StoreLock.Held h = writeLock()) {
      ensureWritable();
      ChangeJournal j = Objects.requireNonNull(journal);
      sync();
      DeviceRecord current = readFile(id);
      long currentVersion = current == null ? 0 : current.version();
      if (currentVersion != expectedVersion) {
        observedLocally(id, current); // so that the caller's retry sees the winner
        return false;
      }
      if (current == null && data == null) {
        return true; // deleting what does not exist: nothing to write
      }
      write(j, id, file, data, data == null ? null : next);
      return true;
    }
  }

  /** Replaces (or deletes) one device file under the store lock and announces the change. */
  private void write(ChangeJournal j, String id, Path file, byte @Nullable [] data,
      @Nullable DeviceRecord r) {
    long s = j.begin(id);
    boolean done = false;
    try {
      if (data == null) {
        Fs.deleteDurably(file);
      } else {
        Fs.createDirectories(file.getParent());
        Fs.writeDurably(file, data);
      }
      done = true;
    } catch (IOException e) {
      throw new StoreException("could not write " + file + " (" + e
          + "); the device record is either unchanged or replaced: retry", true, e);
    } finally {
      j.end(s);
      if (done) {
        committedLocally(s, id, r);
      } else {
        cache.invalidate(id);
      }
    }
  }

  private StoreLock.Held writeLock() {
    return Objects.requireNonNull(lock).acquire(lockTimeout);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Never writes: the times are kept in memory (and shown by reads of this store) and written
   * by the next flush, at most one {@linkplain Builder#touchFlushInterval flush interval} later,
   * or on {@link #close()}. Does nothing on a read-only store.
   */
  @Override
  public void touch(DeviceId deviceId, Role role, Instant at) {
    if (readOnly || closed) {
      return;
    }
    touches.merge(deviceId.value(), Touch.of(role, at), Touch::merge);
  }

  /**
   * Writes the access times recorded by {@link #touch} now (normally done in the background).
   * Each device file is re-read under the lock and only its access times are raised; versions do
   * not change and no committed change is undone.
   *
   * @throws StoreException if the store is closed, read-only, or a write fails (unwritten times
   *     are kept for the next flush)
   */
  public void flush() {
    ensureWritable();
    flushTouches();
  }

  private void backgroundFlush() {
    try {
      if (!closed) {
        flushTouches();
      }
    } catch (RuntimeException e) {
      LOG.warn("flushing access times to {} failed; will retry", layout.root, e);
    }
  }

  @SuppressWarnings("try") // the lock is held for the block; the guard is unused
  private void flushTouches() {
    if (touches.isEmpty()) {
      return;
    }
    List<String> ids = new ArrayList<>(touches.keySet());
    for (int from = 0; from < ids.size(); from += FLUSH_CHUNK) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + FLUSH_CHUNK));
      try (StoreLock.Held h = writeLock()) {
        ChangeJournal j = Objects.requireNonNull(journal);
        sync();
        for (String id : chunk) {
          Touch t = touches.remove(id);
          if (t == null) {
            continue;
          }
          DeviceRecord current;
          try {
            current = readFile(id);
          } catch (StoreCorruptException | StoreFormatException e) {
            continue; // never write over an unreadable file; the access time is dropped
          }
          DeviceRecord merged = Touch.apply(current, t);
          if (merged == null || merged == current) {
            continue;
          }
          try {
            write(j, id, layout.deviceFile(id), RecordCodec.encode(merged), merged);
          } catch (StoreException e) {
            touches.merge(id, t, Touch::merge);
            throw e;
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // checking and quarantine

  /**
   * The device files this store found unreadable (when opening read-only, or on a later read),
   * sorted by file: {@link #list} and {@link #findByRequestId} skip them, so a read-only tool can
   * show the rest and name these. Cheap (no file is read); {@link #check()} is the full check.
   */
  public List<StoreProblem> unreadableDevices() {
    ensureOpen();
    sync();
    List<StoreProblem> out = new ArrayList<>(corrupt.values());
    out.sort(java.util.Comparator.comparing(StoreProblem::file));
    return List.copyOf(out);
  }

  /**
   * Reads every file of this store again and returns the problems found, sorted by file (empty
   * when the store is healthy). Changes nothing.
   *
   * @throws StoreException if the directory cannot be listed
   */
  public List<StoreProblem> check() {
    ensureOpen();
    return check(layout.root);
  }

  /**
   * Checks the store in {@code directory} without opening it: the manifest and every device file
   * (truncated, unparsable, schema-violating, newer-format and misplaced files, and files the
   * store does not know). For {@code pairgate store check} and {@code doctor}. Changes nothing.
   *
   * @return the problems, sorted by file; empty when the store is healthy
   * @throws StoreInsecureException if the directory is owned by another user or writable by
   *     others (nothing else is read then)
   * @throws StoreException if the directory is not a store or cannot be listed
   */
  public static List<StoreProblem> check(Path directory) {
    Layout layout = new Layout(directory.toAbsolutePath().normalize());
    if (!Files.isDirectory(layout.root)) {
      throw new StoreException("no store at " + layout.root + " (not a directory)", false);
    }
    List<StoreProblem> out = new ArrayList<>();
    try {
      checkDirectories(layout);
      byte[] m = Fs.readIfExists(layout.manifest);
      if (m == null) {
        out.add(new StoreProblem(layout.manifest, StoreProblem.Kind.SCHEMA,
            "the store manifest is missing"));
      } else {
        try {
          Json.Obj o = Json.Obj.of(Json.parse(m), "");
          RecordCodec.checkFormat(o, layout.manifest.toString(), Layout.STORE_FORMAT);
          o.only(Set.of("format", "formatVersion", "createdAtMs"));
          o.instant("createdAtMs");
        } catch (Json.ParseFailure e) {
          out.add(new StoreProblem(layout.manifest, e.truncated ? StoreProblem.Kind.TRUNCATED
              : StoreProblem.Kind.UNPARSABLE, e.getMessage()));
        } catch (Json.SchemaViolation e) {
          out.add(new StoreProblem(layout.manifest, StoreProblem.Kind.SCHEMA,
              "schema violation at " + e.getMessage()));
        } catch (StoreFormatException e) {
          out.add(new StoreProblem(layout.manifest, StoreProblem.Kind.NEWER_FORMAT,
              Scan.message(e, layout.manifest)));
        }
      }
      Scan scan = Scan.run(layout, Runtime.getRuntime().availableProcessors(), true);
      out.addAll(scan.sortedProblems());
    } catch (IOException e) {
      throw new StoreException("cannot check " + layout.root + ": " + e, true, e);
    }
    return List.copyOf(out);
  }

  /**
   * Moves one device file aside into {@code quarantine/} so that the rest of the store opens and
   * works again; the device is then unknown to the store (it must pair again, or the file is
   * repaired and moved back by hand). Takes the store lock, so it is safe while other processes
   * have the store open; they stop seeing the device at their next read.
   *
   * @param file a file under this store's {@code devices/} directory (absolute, or relative to the
   *     store directory), typically {@link StoreProblem#file()}
   * @return where the file now is
   * @throws StoreException if the file is not a device-directory file of this store, or cannot be
   *     moved
   */
  @SuppressWarnings("try") // the lock is held for the block; the guard is unused
  public Path quarantine(Path file) {
    ensureWritable();
    Path target;
    try (StoreLock.Held h = writeLock()) {
      sync();
      target = quarantineLocked(layout, Objects.requireNonNull(journal), file, clock);
    }
    String name = target.getFileName().toString();
    String id = deviceIdOfQuarantined(name);
    if (id != null) {
      syncLock.lock();
      try {
        corrupt.remove(id);
      } finally {
        syncLock.unlock();
      }
    }
    sync();
    return target;
  }

  /**
   * {@link #quarantine(Path) Quarantines} a file of the store in {@code directory} without
   * opening the store (which fails while the file is corrupt). Safe while other processes have the
   * store open.
   *
   * @return where the file now is
   * @throws StoreException if the file is not a device-directory file of that store, or cannot be
   *     moved
   */
  @SuppressWarnings("try") // the lock is held for the block; the guard is unused
  public static Path quarantine(Path directory, Path file) {
    Layout layout = new Layout(directory.toAbsolutePath().normalize());
    try {
      if (!Files.isRegularFile(layout.manifest)) {
        throw new StoreException("no store at " + layout.root, false);
      }
      checkDirectories(layout);
      Fs.createFileIfMissing(layout.lock);
      try (StoreLock l = StoreLock.of(layout.lock);
          StoreLock.Held h = l.acquire(Builder.DEFAULT_LOCK_TIMEOUT)) {
        ChangeJournal j = ChangeJournal.openForWriting(layout.journal, ChangeJournal.DEFAULT_SLOTS);
        j.repair();
        return quarantineLocked(layout, j, file, Clock.systemUTC());
      }
    } catch (IOException e) {
      throw new StoreException("cannot quarantine " + file + ": " + e, true, e);
    }
  }

  private static Path quarantineLocked(Layout layout, ChangeJournal j, Path file, Clock clock) {
    Path f = (file.isAbsolute() ? file : layout.root.resolve(file)).normalize();
    if (!f.startsWith(layout.devices) || f.equals(layout.devices)) {
      throw new PairgateException(ErrorCode.INVALID_ARGUMENT,
          "only files under " + layout.devices + " can be quarantined: " + f);
    }
    if (!Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)
        && !Files.isSymbolicLink(f)) { // a planted link is moved aside itself, never followed
      throw new StoreException("no such file: " + f, false);
    }
    String name = f.getFileName().toString();
    Path target = layout.quarantine.resolve(clock.millis() + "-" + name);
    String id = Layout.isDeviceFileName(name) ? Layout.deviceIdOf(name) : null;
    long s = id == null ? -1 : j.begin(id);
    try {
      Fs.createDirectories(layout.quarantine);
      Fs.moveDurably(f, target);
    } catch (IOException e) {
      throw new StoreException("cannot move " + f + " to " + target + ": " + e, true, e);
    } finally {
      if (s > 0) {
        j.end(s);
      }
    }
    LOG.warn("quarantined {} as {}", f, target);
    return target;
  }

  private static @Nullable String deviceIdOfQuarantined(String name) {
    int dash = name.indexOf('-');
    String rest = dash < 0 ? name : name.substring(dash + 1);
    return Layout.isDeviceFileName(rest) ? Layout.deviceIdOf(rest) : null;
  }

  // ---------------------------------------------------------------------------------------------
  // change notifications

  /**
   * Notifies {@code listener} of every change committed to this directory by any process (this
   * one included): a daemon thread polls the change journal every 200 ms (two reads of shared
   * memory when nothing changed) and reports each changed device id. When it falls more than the
   * journal's ring behind, or the journal is re-created, it calls {@link ChangeListener#missed()}.
   * So a gateway on a store-json directory closes the sockets of a device that
   * {@code pairgate devices revoke} revoked from another process.
   */
  @Override
  public Optional<ChangeSubscription> subscribe(ChangeListener listener) {
    Objects.requireNonNull(listener, "listener");
    JournalWatch w = new JournalWatch(listener);
    w.thread.start();
    return Optional.of(w);
  }

  private final class JournalWatch implements ChangeSubscription {
    private final ChangeListener listener;
    private final Thread thread;
    private volatile boolean stopped;
    private long last = -1;

    JournalWatch(ChangeListener listener) {
      this.listener = listener;
      this.thread = new Thread(this::run, "pairgate-json-changes");
      thread.setDaemon(true);
      ChangeJournal j = journal;
      if (j != null) {
        last = j.committed();
      }
    }

    private void run() {
      while (!stopped && !closed) {
        try {
          poll();
        } catch (RuntimeException e) {
          LOG.warn("change notification poll failed: {}", e.toString());
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private void poll() {
      ChangeJournal j = journal;
      if (j == null) {
        attachJournalIfCreated();
        j = journal;
        if (j == null) {
          return;
        }
      }
      long c = j.committed();
      if (last < 0) {
        last = c;
        listener.missed();
        return;
      }
      if (c == last) {
        return;
      }
      if (c < last || c - last >= j.slots()) {
        last = c;
        listener.missed();
        return;
      }
      for (long seq = last + 1; seq <= c; seq++) {
        String id = j.deviceAt(seq);
        if (id == null) {
          last = c;
          listener.missed();
          return;
        }
        if (DeviceId.isWellFormed(id)) {
          listener.changed(DeviceId.parse(id));
        }
      }
      last = c;
    }

    @Override
    public void close() {
      stopped = true;
      thread.interrupt();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // lifecycle

  /** The store directory. */
  public Path directory() {
    return layout.root;
  }

  /** Whether this store was opened read-only. */
  public boolean isReadOnly() {
    return readOnly;
  }

  /**
   * Writes pending access times, stops the background flusher and releases the lock file. A
   * second call does nothing.
   */
  @Override
  public void close() {
    synchronized (closeMonitor) {
      if (closed) {
        return;
      }
      try {
        if (flusher != null) {
          flusher.shutdown();
          try {
            if (!flusher.awaitTermination(lockTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
              flusher.shutdownNow();
            }
          } catch (InterruptedException e) {
            flusher.shutdownNow();
            Thread.currentThread().interrupt();
          }
          flushTouches();
        }
      } finally {
        closed = true;
        if (lock != null) {
          lock.close();
        }
        cache.invalidateAll();
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new StoreException("store " + layout.root + " is closed", false);
    }
  }

  private void ensureWritable() {
    ensureOpen();
    if (readOnly) {
      throw new StoreException("store " + layout.root + " was opened read-only", false);
    }
  }

  @Override
  public String toString() {
    return "JsonPairingStore[" + layout.root + (readOnly ? ", read-only]" : "]");
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Options for a {@link JsonPairingStore}. Every option has a default; setters validate eagerly.
   */
  public static final class Builder {
    static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(30);
    private final Path directory;
    private boolean readOnly;
    private long cacheSize = 10_000;
    private Duration touchFlushInterval = Duration.ofSeconds(30);
    private Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;
    private Clock clock = Clock.systemUTC();
    private int scanThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private int journalSlots = ChangeJournal.DEFAULT_SLOTS;
    private boolean verifyOnOpen;

    private Builder(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
    }

    /**
     * Opens the store read-only: nothing is ever written or locked (compare-and-set and
     * quarantine fail, touches are ignored), and unreadable device files do not prevent opening;
     * reading such a device throws {@link StoreCorruptException}. For inspection and
     * {@code check}.
     */
    public Builder readOnly() {
      this.readOnly = true;
      return this;
    }

    /**
     * Reads and validates every device file completely when opening, so that a read-write open
     * refuses a store with any schema violation (what {@link JsonPairingStore#check()} reports).
     * By default opening reads each file as a token stream only, which checks that it is complete,
     * well-formed JSON of this format and device and collects its request ids, at about half the
     * cost; a deeper schema violation is then reported (as {@link StoreCorruptException}) when the
     * record is read or changed.
     */
    public Builder verifyOnOpen() {
      this.verifyOnOpen = true;
      return this;
    }

    /** How many device records to keep in memory (default 10 000). Zero disables the cache. */
    public Builder cacheSize(long records) {
      if (records < 0) {
        throw invalid("cacheSize must be >= 0, was " + records);
      }
      this.cacheSize = records;
      return this;
    }

    /**
     * How often coalesced access times ({@link JsonPairingStore#touch}) are written (default 30
     * seconds). This is the most a crash can lose: access times of at most this long, nothing
     * else.
     */
    public Builder touchFlushInterval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw invalid("touchFlushInterval must be positive, was " + interval);
      }
      this.touchFlushInterval = interval;
      return this;
    }

    /** How long a change waits for another process's change to finish (default 30 seconds). */
    public Builder lockTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw invalid("lockTimeout must be positive, was " + timeout);
      }
      this.lockTimeout = timeout;
      return this;
    }

    /** The clock for file timestamps the store itself records (default system UTC). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Threads used to read the device files at open (default: the number of processors). */
    public Builder scanThreads(int threads) {
      if (threads < 1) {
        throw invalid("scanThreads must be >= 1, was " + threads);
      }
      this.scanThreads = threads;
      return this;
    }

    /** Ring size of a newly created change journal; small values are for tests. */
    Builder journalSlots(int slots) {
      if (slots < 2) {
        throw invalid("journalSlots must be >= 2, was " + slots);
      }
      this.journalSlots = slots;
      return this;
    }

    /**
     * Opens the store (creating the directory and an empty store when it does not exist, unless
     * read-only): reads every device file once to build the request-id index.
     *
     * @throws StoreCorruptException if a store file is unreadable (read-write only)
     * @throws StoreFormatException if the store was written by a newer Pairgate
     * @throws StoreException if the directory cannot be created, read or locked
     */
    public JsonPairingStore open() {
      return new JsonPairingStore(this).started(touchFlushInterval);
    }

    private static PairgateException invalid(String message) {
      return new PairgateException(ErrorCode.INVALID_ARGUMENT, message);
    }
  }
}
