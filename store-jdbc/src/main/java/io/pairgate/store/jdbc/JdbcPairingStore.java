package io.pairgate.store.jdbc;

import io.pairgate.RequestId;
import io.pairgate.DeviceId;
import io.pairgate.ErrorCode;
import io.pairgate.PairgateException;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.StoreCorruptException;
import io.pairgate.StoreException;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.ChangeListener;
import io.pairgate.spi.ChangeSubscription;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.PendingCount;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link PairingStore} in a relational database, over any {@link DataSource}: SQLite (the
 * embedded default), H2, PostgreSQL, MariaDB/MySQL. Each device is one row holding its whole
 * {@link DeviceRecord} plus a {@code version} column; {@link #compareAndSet} is a single
 * transaction {@code UPDATE … WHERE device_id = ? AND version = ?} (an {@code INSERT} for version
 * 0), so concurrent writers — in this process or in other gateway instances on the same database —
 * never lose each other's changes. On PostgreSQL the update of an existing device is one
 * autocommit statement (one round trip) that makes the row, request-index, access-time and
 * notification changes together.
 *
 * <pre>{@code
 * // embedded, one file, no server:
 * PairingStore store = JdbcPairingStore.sqlite(Path.of("/var/lib/gateway/pairing.db")).open();
 *
 * // several gateway instances on one PostgreSQL database, through a HikariCP pool:
 * HikariConfig hc = new HikariConfig();
 * hc.setJdbcUrl("jdbc:postgresql://db.internal/gateway");
 * hc.setMaximumPoolSize(8);
 * PairingStore store = JdbcPairingStore.builder(new HikariDataSource(hc)).open();
 * PairingService pairing = PairingService.builder(store).build();
 * }</pre>
 *
 * <p><b>Reads are never cached.</b> {@link #load} and {@link #findByRequestId} read the latest
 * committed row (a primary-key select), so a decision made on any instance reflects every change
 * acknowledged by any instance before it started: the staleness bound is zero.
 *
 * <p><b>Durability</b> (with {@link Builder#durableCommits(boolean) durableCommits(true)}, the
 * default), when {@code compareAndSet} returns {@code true}:
 *
 * <ul>
 *   <li>SQLite: the store sets {@code journal_mode=WAL} and, on every connection it uses,
 *       {@code synchronous=FULL}: each commit is fsynced (one fsync per write).
 *   <li>H2: H2 does <em>not</em> fsync on commit (2.x, in any {@code WRITE_DELAY}); the store
 *       therefore runs {@code CHECKPOINT SYNC} after every committed write and returns only when it
 *       completed (about 0.3 ms; concurrent writers share one checkpoint). Without it
 *       (durableCommits(false)) a committed change survives a crash of the JVM but can be lost on
 *       an operating-system crash or power failure.
 *   <li>PostgreSQL, MariaDB: whatever the server guarantees for a commit (durable with the
 *       defaults {@code synchronous_commit=on} and {@code innodb_flush_log_at_trx_commit=1}).
 * </ul>
 *
 * <p><b>Access times.</b> {@link #touch} never writes on the caller's thread: touches are
 * coalesced in memory (visible at once to this store object's reads) and written by a background
 * flusher every {@link Builder#touchFlushInterval touchFlushInterval}, outside the versioned row,
 * so they never bump a version and never undo a compare-and-set. Touches not yet flushed are lost
 * if the process dies.
 *
 * <p><b>Connections.</b> Every operation borrows one connection and returns it before it returns;
 * no connection is held between calls or while the caller runs its own code. Thread-safe.
 *
 * <p><b>Errors.</b> Failures are {@link StoreException}s naming the SQL state and vendor code;
 * {@link StoreException#retryable()} is true for lost connections, lock and statement time-outs
 * and unknown commit outcomes. Deadlocks and serialization failures inside compare-and-set roll
 * back and return {@code false}, so the service reloads and retries. An unreadable row is a
 * {@link StoreCorruptException} naming the table and device; it is never treated as absent.
 */
public final class JdbcPairingStore implements PairingStore {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcPairingStore.class);

  private static final String COLUMNS =
      "d.device_id, d.version, d.record_json, t.role_name, t.at_ms, t.at_nanos";
  private static final String SELECT_ONE = "SELECT " + COLUMNS
      + " FROM pairgate_device d LEFT JOIN pairgate_touch t ON t.device_id = d.device_id"
      + " WHERE d.device_id = ?";
  private static final String SELECT_BY_REQUEST = "SELECT " + COLUMNS
      + " FROM pairgate_request r JOIN pairgate_device d ON d.device_id = r.device_id"
      + " LEFT JOIN pairgate_touch t ON t.device_id = d.device_id WHERE r.request_id = ?";
  private static final String SELECT_PAGE = "SELECT " + COLUMNS
      + " FROM (SELECT device_id, version, record_json FROM pairgate_device WHERE device_id > ?"
      + " ORDER BY device_id LIMIT ?) d"
      + " LEFT JOIN pairgate_touch t ON t.device_id = d.device_id ORDER BY d.device_id";
  private static final String SELECT_PENDING = "SELECT device_id, version, record_json"
      + " FROM pairgate_device WHERE pending_expires_at > ?"
      + " ORDER BY pending_expires_at, device_id LIMIT ?";
  private static final String SELECT_EXISTS =
      "SELECT version FROM pairgate_device WHERE device_id = ?";
  private static final String COUNT_PENDING = "SELECT COUNT(*),"
      + " SUM(CASE WHEN pending_address = ? THEN 1 ELSE 0 END)"
      + " FROM pairgate_device WHERE pending_expires_at > ?";
  private static final String SELECT_PENDING_ADDRESSES = "SELECT pending_address"
      + " FROM pairgate_device WHERE pending_expires_at > ?";
  private static final String SELECT_PENDING_AT = "SELECT device_id, version, record_json"
      + " FROM pairgate_device WHERE pending_expires_at = ? ORDER BY device_id";
  private static final String INSERT_DEVICE = "INSERT INTO pairgate_device (device_id, version,"
      + " record_json, pending_expires_at, pending_address, updated_at) VALUES (?, ?, ?, ?, ?, ?)";
  private static final String UPDATE_DEVICE = "UPDATE pairgate_device SET version = ?,"
      + " record_json = ?, pending_expires_at = ?, pending_address = ?, updated_at = ?"
      + " WHERE device_id = ? AND version = ?";
  private static final String DELETE_DEVICE =
      "DELETE FROM pairgate_device WHERE device_id = ? AND version = ?";
  private static final String DELETE_REQUESTS = "DELETE FROM pairgate_request WHERE device_id = ?";
  private static final String SELECT_REQUESTS =
      "SELECT request_id FROM pairgate_request WHERE device_id = ?";
  private static final String DELETE_TOUCHES = "DELETE FROM pairgate_touch WHERE device_id = ?";
  private static final String UPDATE_TOUCH = "UPDATE pairgate_touch SET at_ms = ?, at_nanos = ?"
      + " WHERE device_id = ? AND role_name = ? AND (at_ms < ? OR (at_ms = ? AND at_nanos < ?))";

  private final DataSource dataSource;
  private final Dialect dialect;
  private final Clock clock;
  private final boolean checkpointEachWrite;
  private final boolean sqliteSynchronousFull;
  private final long busyTimeoutMs;
  private final String insertTouchSql;
  private final TouchBuffer touches;
  private final @Nullable ScheduledExecutorService flusher;
  private final Object flushLock = new Object();
  private final @Nullable UrlDataSource ownedDataSource;
  private final @Nullable ReentrantLock writeLock;
  private final AtomicLong committedWrites =
      new AtomicLong();
  private final Object checkpointLock = new Object();
  private long checkpointedWrites; // guarded by checkpointLock
  private volatile boolean closed;
  private final List<PgNotifications> subscriptions = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * One lock per SQLite database file in this JVM (keyed by the file's real path): writers of all
   * store objects on the file queue here and hand over at once, instead of polling SQLite's
   * database lock with the busy handler's sleeps. Other processes still meet the busy timeout.
   */
  private static final ConcurrentHashMap<String, ReentrantLock> SQLITE_WRITE_LOCKS =
      new ConcurrentHashMap<>();

  private JdbcPairingStore(Builder b, Dialect dialect, boolean inMemoryDatabase,
      @Nullable String sqliteFile) {
    this.dataSource = b.dataSource;
    this.dialect = dialect;
    this.clock = b.clock;
    this.checkpointEachWrite = dialect == Dialect.H2 && b.durableCommits && !inMemoryDatabase;
    this.sqliteSynchronousFull = dialect == Dialect.SQLITE && b.durableCommits;
    this.busyTimeoutMs = b.busyTimeout.toMillis();
    this.insertTouchSql = "INSERT INTO pairgate_touch (device_id, role_name, at_ms, at_nanos)"
        + " SELECT ?, ?, ?, ?" + dialect.fromDual()
        + " WHERE EXISTS (SELECT 1 FROM pairgate_device WHERE device_id = ?)"
        + " AND NOT EXISTS (SELECT 1 FROM pairgate_touch WHERE device_id = ? AND role_name = ?)";
    this.touches = new TouchBuffer(b.maxBufferedTouches);
    this.ownedDataSource = b.ownedDataSource;
    this.writeLock = sqliteFile == null
        ? null
        : SQLITE_WRITE_LOCKS.computeIfAbsent(sqliteFile, k -> new ReentrantLock());
    if (b.touchFlushInterval.isZero()) {
      this.flusher = null;
    } else {
      this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pairgate-jdbc-touch-flusher");
        t.setDaemon(true);
        return t;
      });
      long ms = b.touchFlushInterval.toMillis();
      ms = Math.max(1, ms);
      flusher.scheduleWithFixedDelay(this::flushInBackground, ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * A builder for a store on {@code dataSource}. The data source should pool connections (for
   * example HikariCP); the store borrows one per operation.
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
  }

  /**
   * A builder for the embedded default: an SQLite database in {@code file} (created if missing),
   * opened through the {@code sqlite-jdbc} driver with WAL journaling, {@code synchronous=FULL} and
   * a busy timeout. The store keeps a few idle connections open for reuse and closes them in
   * {@link #close()}.
   */
  public static Builder sqlite(Path file) {
    createOwnerOnly(file.toAbsolutePath());
    Properties p = new Properties();
    p.setProperty("journal_mode", "WAL");
    p.setProperty("synchronous", "FULL");
    p.setProperty("busy_timeout", "5000");
    Builder b = builder(new UrlDataSource("jdbc:sqlite:" + file.toAbsolutePath(), p));
    b.ownedDataSource = (UrlDataSource) b.dataSource;
    return b;
  }

  /**
   * A builder for a store reached by a JDBC URL through {@link java.sql.DriverManager}, for tools
   * and small deployments (the CLI's {@code --jdbc}). The store keeps a few idle connections for
   * reuse and closes them in {@link #close()}; a gateway with a real pool should use
   * {@link #builder(DataSource)} instead. Credentials go in the URL as the driver expects them.
   */
  public static Builder url(String jdbcUrl) {
    Builder b = builder(new UrlDataSource(jdbcUrl, new Properties()));
    b.ownedDataSource = (UrlDataSource) b.dataSource;
    return b;
  }

  /**
   * Creates an empty SQLite database file with mode 0600 (POSIX) if it does not exist, so that it
   * is never readable by others, not even for a moment after the driver creates it.
   */
  private static void createOwnerOnly(Path file) {
    if (java.nio.file.Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)
        || !java.nio.file.FileSystems.getDefault().supportedFileAttributeViews()
            .contains("posix")) {
      return;
    }
    try {
      java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions
          .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    } catch (java.nio.file.FileAlreadyExistsException e) {
      // created meanwhile: ownerOnly() narrows it when the store is built
    } catch (java.io.IOException e) {
      throw new StoreException("cannot create " + file + ": " + e, false, e);
    }
  }

  /** The dialect in use (detected from the connection metadata, or as set on the builder). */
  public Dialect dialect() {
    return dialect;
  }

  // ---------------------------------------------------------------------------------------------
  // reads

  @Override
  public Optional<DeviceRecord> load(DeviceId deviceId) {
    ensureOpen();
    try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(SELECT_ONE)) {
      ps.setString(1, deviceId.value());
      List<DeviceRecord> found = readRecords(ps);
      return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    } catch (SQLException e) {
      throw SqlErrors.failure("load of device " + deviceId, SqlErrors.classify(dialect, e), e);
    }
  }

  @Override
  public Optional<DeviceRecord> findByRequestId(RequestId requestId) {
    ensureOpen();
    try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(SELECT_BY_REQUEST)) {
      ps.setString(1, requestId.value());
      List<DeviceRecord> found = readRecords(ps);
      // The index row and the record are read in one statement (one snapshot); the check guards
      // against an index that disagrees with its record.
      return found.isEmpty() || !found.get(0).knowsRequest(requestId)
          ? Optional.empty()
          : Optional.of(found.get(0));
    } catch (SQLException e) {
      throw SqlErrors.failure("lookup of request " + requestId, SqlErrors.classify(dialect, e), e);
    }
  }

  @Override
  public List<DeviceRecord> list(String afterDeviceId, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1: " + limit);
    }
    ensureOpen();
    try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(SELECT_PAGE)) {
      ps.setString(1, afterDeviceId);
      ps.setInt(2, limit);
      return readRecords(ps);
    } catch (SQLException e) {
      throw SqlErrors.failure("listing devices", SqlErrors.classify(dialect, e), e);
    }
  }

  /**
   * Up to {@code limit} pending requests that have not expired at {@code now}, soonest expiry
   * first. Served by the {@code pending_expires_at} index, so it stays cheap with many paired
   * devices; {@link io.pairgate.PairingService#list()} pages through every record instead.
   */
  public List<PendingRequest> pendingRequests(Instant now, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1: " + limit);
    }
    ensureOpen();
    long nowMs = epochMillisFloor(now);
    List<PendingRequest> out = new ArrayList<>();
    try (Connection c = connect()) {
      // R5.2 to the nanosecond: the column holds the expiry's millisecond (floored), so a row of
      // the millisecond of now may be live or expired and is judged on its record; every later
      // row is live. The expired rows of that millisecond never take places of the LIMIT.
      out.addAll(pendingAt(c, now, nowMs));
      if (out.size() > limit) {
        return new ArrayList<>(out.subList(0, limit));
      }
      if (out.size() == limit) {
        return out;
      }
      try (PreparedStatement ps = c.prepareStatement(SELECT_PENDING)) {
        ps.setLong(1, nowMs);
        ps.setInt(2, limit - out.size());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            PendingRequest p = decode(rs.getString(1), rs.getLong(2), rs.getString(3)).pending();
            if (p != null && !p.isExpired(now)) {
              out.add(p);
            }
          }
        }
      }
      return out;
    } catch (SQLException e) {
      throw SqlErrors.failure("listing pending requests", SqlErrors.classify(dialect, e), e);
    }
  }

  /**
   * Counts unexpired pending requests with one indexed {@code COUNT} over
   * {@code pending_expires_at} (instead of the SPI default, which pages through every record).
   * Exact: requests expiring within the same millisecond as {@code now} are judged on their full
   * instant.
   */
  @Override
  public PendingCount countPending(String remoteAddress, Instant now) {
    ensureOpen();
    long nowMs = epochMillisFloor(now);
    String key = remoteAddress.isEmpty() ? null : addressKey(remoteAddress);
    int total;
    int fromAddress;
    try (Connection c = connect()) {
      try (PreparedStatement ps = c.prepareStatement(COUNT_PENDING)) {
        if (key == null) {
          ps.setNull(1, Types.VARCHAR);
        } else {
          ps.setString(1, key);
        }
        ps.setLong(2, nowMs);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          total = rs.getInt(1);
          fromAddress = rs.getInt(2);
        }
      }
      for (PendingRequest p : pendingAt(c, now, nowMs)) {
        total++;
        if (!remoteAddress.isEmpty() && remoteAddress.equals(p.remoteAddress())) {
          fromAddress++;
        }
      }
    } catch (SQLException e) {
      throw SqlErrors.failure("counting pending requests", SqlErrors.classify(dialect, e), e);
    }
    return new PendingCount(total, fromAddress);
  }

  /**
   * The pending requests whose expiry falls into the epoch millisecond {@code nowMs} of
   * {@code now} and that are still live at {@code now} exactly (R5.2: expired at expiresAt), by
   * device id. The column is floored to milliseconds, so only these rows need their record.
   */
  private List<PendingRequest> pendingAt(Connection c, Instant now, long nowMs)
      throws SQLException {
    List<PendingRequest> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(SELECT_PENDING_AT)) {
      ps.setLong(1, nowMs);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          PendingRequest p = decode(rs.getString(1), rs.getLong(2), rs.getString(3)).pending();
          if (p != null && !p.isExpired(now)) {
            out.add(p);
          }
        }
      }
    }
    return out;
  }

  /**
   * Counts as {@link #countPending(String, Instant)} for the total; the requests from
   * {@code range} are counted over the indexed addresses of the unexpired pending rows (at most
   * the number of pending requests), not over every device.
   */
  @Override
  public PendingCount countPending(io.pairgate.policy.IpRange range, Instant now) {
    PendingCount all = countPending("", now);
    int inRange = 0;
    ensureOpen();
    long nowMs = epochMillisFloor(now);
    try (Connection c = connect()) {
      try (PreparedStatement ps = c.prepareStatement(SELECT_PENDING_ADDRESSES)) {
        ps.setLong(1, nowMs);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String address = rs.getString(1);
            if (address != null && PendingCount.inRange(range, address)) {
              inRange++;
            }
          }
        }
      }
      // the rows of the millisecond of now, judged exactly as the total judges them
      for (PendingRequest p : pendingAt(c, now, nowMs)) {
        if (PendingCount.inRange(range, p.remoteAddress())) {
          inRange++;
        }
      }
    } catch (SQLException e) {
      throw SqlErrors.failure("counting pending requests", SqlErrors.classify(dialect, e), e);
    }
    return new PendingCount(all.total(), Math.min(inRange, all.total()));
  }

  /** Executes a query selecting {@link #COLUMNS}; groups touch rows into their records. */
  private List<DeviceRecord> readRecords(PreparedStatement ps) throws SQLException {
    List<DeviceRecord> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      String currentId = null;
      long version = 0;
      String json = null;
      Map<String, Instant> touched = new HashMap<>();
      while (rs.next()) {
        String id = rs.getString(1);
        if (!id.equals(currentId)) {
          if (currentId != null) {
            out.add(withTouches(decode(currentId, version, json), touched));
            touched = new HashMap<>();
          }
          currentId = id;
          version = rs.getLong(2);
          json = rs.getString(3);
        }
        String role = rs.getString(4);
        if (role != null) {
          long ms = rs.getLong(5);
          int nanos = rs.getInt(6);
          touched.put(role, Instant.ofEpochMilli(ms).plusNanos(nanos));
        }
      }
      if (currentId != null) {
        out.add(withTouches(decode(currentId, version, json), touched));
      }
    }
    return out;
  }

  private static String location(String deviceId) {
    return "table pairgate_device, device_id " + deviceId;
  }

  private DeviceRecord decode(String rawId, long version, @Nullable String json) {
    DeviceId id;
    try {
      id = DeviceId.parse(rawId);
    } catch (PairgateException e) {
      // the cell is not a device id, so it is shown only as an excerpt, and with no cause (whose
      // message quotes it whole)
      throw new StoreCorruptException(
          "table pairgate_device, device_id " + RecordCodec.redact("\"" + rawId + "\""),
          "malformed device id");
    }
    if (version < 1) {
      throw new StoreCorruptException(location(rawId), "version " + version + " is below 1");
    }
    if (json == null) {
      throw new StoreCorruptException(location(rawId), "record_json is null");
    }
    try {
      return RecordCodec.decode(id, version, json);
    } catch (RuntimeException e) {
      throw new StoreCorruptException(location(rawId),
          "unreadable record_json at version " + version + ": " + e.getMessage(), e);
    }
  }

  /**
   * The record with flushed and buffered touches applied by core's touch merge,
   * {@link DeviceRecord#withAccessTimes}: lastSeenAt and a token's lastUsedAt move forward only.
   */
  private DeviceRecord withTouches(DeviceRecord r, Map<String, Instant> flushed) {
    Map<String, Instant> buffered = touches.forDevice(r.deviceId().value());
    if (r.paired() == null || (flushed.isEmpty() && buffered == null)) {
      return r;
    }
    Map<String, Instant> all = flushed;
    if (buffered != null) {
      all = new HashMap<>(flushed);
      for (Map.Entry<String, Instant> e : buffered.entrySet()) {
        all.merge(e.getKey(), e.getValue(), (a, b) -> a.isAfter(b) ? a : b);
      }
    }
    Instant seen = null;
    Map<Role, Instant> used = new HashMap<>();
    for (Map.Entry<String, Instant> e : all.entrySet()) {
      Instant at = e.getValue();
      if (seen == null || seen.isBefore(at)) {
        seen = at;
      }
      try {
        used.merge(Role.of(e.getKey()), at, (a, b) -> a.isAfter(b) ? a : b);
      } catch (PairgateException ex) {
        // a touch row for a role name the model rejects: it still counts as seen (best effort)
      }
    }
    return seen == null ? r : r.withAccessTimes(seen, used);
  }

  // ---------------------------------------------------------------------------------------------
  // compare-and-set

  private enum Phase { ROW, INDEX, COMMIT }

  @Override
  public boolean compareAndSet(long expectedVersion, DeviceRecord next) {
    if (next.version() != expectedVersion + 1) {
      throw new IllegalArgumentException(
          "next.version must be expectedVersion + 1: " + next.version() + " vs " + expectedVersion);
    }
    ensureOpen();
    String id = next.deviceId().value();
    boolean delete = next.isEmpty();
    String json = delete ? null : RecordCodec.encode(next);
    List<String> requestIds =
        delete ? List.of() : next.requestIds().stream().map(RequestId::value).toList();
    for (String rid : requestIds) {
      if (rid.length() > 128) {
        throw new IllegalArgumentException("request id longer than 128 characters: " + rid);
      }
    }
    if (delete && expectedVersion == 0) {
      return !exists(id); // nothing to write: succeeds exactly when the device is absent
    }
    boolean committed;
    lockWrites();
    try {
      committed = dialect == Dialect.POSTGRESQL && !delete && expectedVersion > 0
          ? pgUpdateStatement(expectedVersion, next, id, json, requestIds)
          : casTransaction(expectedVersion, next, id, delete, json, requestIds);
    } finally {
      unlockWrites();
    }
    if (committed) {
      touches.discard(id);
      if (checkpointEachWrite) {
        checkpoint(id);
      }
    }
    return committed;
  }

  private boolean casTransaction(long expectedVersion, DeviceRecord next, String id,
      boolean delete, @Nullable String json, List<String> requestIds) {
    Phase phase = Phase.ROW;
    Connection c = null;
    int restoreIsolation = Connection.TRANSACTION_NONE;
    try {
      c = connect();
      int isolation = casIsolation();
      if (isolation != Connection.TRANSACTION_NONE) {
        int before = c.getTransactionIsolation();
        if (before != isolation) {
          c.setTransactionIsolation(isolation);
          restoreIsolation = before;
        }
      }
      c.setAutoCommit(false);
      int rows;
      long now = clock.millis();
      if (delete) {
        try (PreparedStatement ps = c.prepareStatement(DELETE_DEVICE)) {
          ps.setString(1, id);
          ps.setLong(2, expectedVersion);
          rows = ps.executeUpdate();
        }
      } else if (expectedVersion == 0) {
        try (PreparedStatement ps = c.prepareStatement(INSERT_DEVICE)) {
          ps.setString(1, id);
          ps.setLong(2, next.version());
          ps.setString(3, json);
          setPendingColumns(ps, 4, next);
          ps.setLong(6, now);
          rows = ps.executeUpdate();
        }
      } else {
        try (PreparedStatement ps = c.prepareStatement(UPDATE_DEVICE)) {
          ps.setLong(1, next.version());
          ps.setString(2, json);
          setPendingColumns(ps, 3, next);
          ps.setLong(5, now);
          ps.setString(6, id);
          ps.setLong(7, expectedVersion);
          rows = ps.executeUpdate();
        }
      }
      if (rows != 1) {
        c.rollback();
        return false;
      }
      phase = Phase.INDEX;
      updateRequestIndex(c, id, requestIds);
      try (PreparedStatement ps = c.prepareStatement(DELETE_TOUCHES)) {
        ps.setString(1, id);
        ps.executeUpdate();
      }
      if (dialect == Dialect.POSTGRESQL) {
        // delivered to LISTENers (other gateways) only if and when the transaction commits
        try (PreparedStatement ps = c.prepareStatement(PgNotifications.NOTIFY_SQL)) {
          ps.setString(1, id);
          ps.execute();
        }
      }
      phase = Phase.COMMIT;
      c.commit();
      return true;
    } catch (SQLException e) {
      rollbackQuietly(c, e);
      SqlErrors.Kind kind = SqlErrors.classify(dialect, e);
      if (kind == SqlErrors.Kind.DUPLICATE_KEY && phase == Phase.ROW) {
        return false; // another writer created the device first
      }
      if (kind == SqlErrors.Kind.CONFLICT && phase != Phase.COMMIT) {
        return lostRace(id, e);
      }
      if (kind == SqlErrors.Kind.DUPLICATE_KEY) {
        throw requestIdTaken(id, requestIds, e);
      }
      if (phase == Phase.COMMIT) {
        throw outcomeUnknown(id, " during commit", e);
      }
      throw SqlErrors.failure("compare-and-set of device " + id
          + " (rolled back, nothing applied)", kind, e);
    } finally {
      if (restoreIsolation != Connection.TRANSACTION_NONE && dialect == Dialect.H2) {
        restoreIsolation(c, restoreIsolation); // cheap in-process; pools reset MariaDB's
      }
      closeQuietly(c);
    }
  }

  /**
   * PostgreSQL's compare-and-set of an existing device as one autocommit statement, so one round
   * trip: the versioned {@code UPDATE} and, only if it matched, the request-index changes, the
   * removal of the folded-in touches and the change notification, as data-modifying CTEs of the
   * same statement (all or nothing, like the transaction of {@link #casTransaction}). The index
   * changes touch only ids that changed: rows of ids the record no longer holds are deleted, and
   * ids not yet indexed for this device are inserted (an id indexed for another device is a
   * unique-key violation, as in the transaction).
   */
  private boolean pgUpdateStatement(long expectedVersion, DeviceRecord next, String id,
      @Nullable String json, List<String> requestIds) {
    Connection c = null;
    try {
      c = connect();
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      try (PreparedStatement ps = c.prepareStatement(PG_UPDATE_CAS)) {
        ps.setLong(1, next.version());
        ps.setString(2, json);
        setPendingColumns(ps, 3, next);
        ps.setLong(5, clock.millis());
        ps.setString(6, id);
        ps.setLong(7, expectedVersion);
        java.sql.Array ids = c.createArrayOf("varchar", requestIds.toArray());
        ps.setArray(8, ids);
        ps.setArray(9, ids);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() && rs.getLong(1) == 1;
        }
      }
    } catch (SQLException e) {
      SqlErrors.Kind kind = SqlErrors.classify(dialect, e);
      if (kind == SqlErrors.Kind.CONFLICT) {
        return lostRace(id, e);
      }
      if (kind == SqlErrors.Kind.DUPLICATE_KEY) {
        throw requestIdTaken(id, requestIds, e);
      }
      if (kind == SqlErrors.Kind.TRANSIENT) {
        throw outcomeUnknown(id, "", e);
      }
      throw SqlErrors.failure("compare-and-set of device " + id
          + " (one statement, rolled back, nothing applied)", kind, e);
    } finally {
      closeQuietly(c);
    }
  }

  /** A compare-and-set that lost a race to another writer: logged, and reported as a conflict. */
  private static boolean lostRace(String id, SQLException e) {
    LOG.debug("compare-and-set of device {} lost a race ({}); reporting a conflict", id,
        SqlErrors.describe(e));
    return false;
  }

  /** One of the record's request ids is indexed for another device: not retryable. */
  private static StoreException requestIdTaken(String id, List<String> requestIds,
      SQLException e) {
    return new StoreException("compare-and-set of device " + id + " failed ("
        + SqlErrors.describe(e) + "): one of its request ids " + requestIds
        + " is already indexed for another device: " + e.getMessage(), false, e);
  }

  /**
   * The compare-and-set may or may not have been applied ({@code when}, e.g. " during commit"):
   * retryable, because the version check rejects a change that was in fact applied.
   */
  private static StoreException outcomeUnknown(String id, String when, SQLException e) {
    return new StoreException("compare-and-set of device " + id + " failed" + when + " ("
        + SqlErrors.describe(e) + "); the outcome is unknown, and retrying is safe because "
        + "the version check rejects a change that was in fact applied: " + e.getMessage(),
        true, e);
  }

  /** {@link #pgUpdateStatement}'s statement; parameters 8 and 9 are the record's request ids. */
  private static final String PG_UPDATE_CAS = "WITH upd AS ("
      + "UPDATE pairgate_device SET version = ?, record_json = ?, pending_expires_at = ?,"
      + " pending_address = ?, updated_at = ? WHERE device_id = ? AND version = ?"
      + " RETURNING device_id),"
      + " stale AS (DELETE FROM pairgate_request WHERE device_id = (SELECT device_id FROM upd)"
      + " AND NOT (request_id = ANY (?))),"
      + " added AS (INSERT INTO pairgate_request (request_id, device_id)"
      + " SELECT n.rid, u.device_id FROM upd u CROSS JOIN unnest(CAST(? AS VARCHAR[])) AS n(rid)"
      + " WHERE NOT EXISTS (SELECT 1 FROM pairgate_request x"
      + " WHERE x.request_id = n.rid AND x.device_id = u.device_id)),"
      + " touched AS (DELETE FROM pairgate_touch WHERE device_id = (SELECT device_id FROM upd)),"
      + " notified AS (SELECT pg_notify('" + PgNotifications.CHANNEL + "', device_id) AS n"
      + " FROM upd)"
      + " SELECT (SELECT COUNT(*) FROM upd), (SELECT COUNT(*) FROM notified)";

  /**
   * The isolation level compare-and-set transactions need, or {@code TRANSACTION_NONE} to leave
   * the connection's level alone.
   *
   * <ul>
   *   <li>MariaDB: READ COMMITTED. InnoDB's default REPEATABLE READ takes gap locks on the request
   *       index and deadlocks under concurrent pairings.
   *   <li>H2: REPEATABLE READ. Under READ COMMITTED, H2 2.5.252 was observed to let two
   *       transactions both update from the same version when {@code CHECKPOINT SYNC} runs
   *       concurrently (4 of 90 rounds of 4 threads × 50 contended increments lost one; none in
   *       100 rounds without the checkpoints). Under REPEATABLE READ H2 refuses to update a row
   *       that another transaction changed after this one's snapshot (40001/90131, reported as a
   *       conflict), which is exactly compare-and-set: no loss in 130 rounds.
   *   <li>PostgreSQL: left alone. Its READ COMMITTED re-checks the {@code WHERE} clause on the
   *       newest row version after a lock wait; under REPEATABLE READ or SERIALIZABLE (a server
   *       default some sites choose) a concurrent update fails with 40001, which is reported as a
   *       conflict. Asking the driver for the level would cost a round trip per write.
   *   <li>SQLite: left alone (serializable: one writer at a time).
   * </ul>
   */
  private int casIsolation() {
    return switch (dialect) {
      case H2 -> Connection.TRANSACTION_REPEATABLE_READ;
      case MARIADB -> Connection.TRANSACTION_READ_COMMITTED;
      case POSTGRESQL, SQLITE -> Connection.TRANSACTION_NONE;
    };
  }

  private static void restoreIsolation(@Nullable Connection c, int level) {
    if (c == null) {
      return;
    }
    try {
      if (!c.isClosed()) {
        c.setAutoCommit(true);
        c.setTransactionIsolation(level);
      }
    } catch (SQLException e) {
      LOG.debug("could not restore the isolation level of a connection", e);
    }
  }

  /**
   * Makes the device's rows in {@code pairgate_request} equal {@code requestIds}, touching only
   * the ids that changed (most changes — rotations, revocations, blocks — change none). Runs after
   * the device row was written in the same transaction, so the row lock keeps every other writer
   * of this device's index rows out until commit.
   */
  private static void updateRequestIndex(Connection c, String id, List<String> requestIds)
      throws SQLException {
    if (requestIds.isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(DELETE_REQUESTS)) {
        ps.setString(1, id);
        ps.executeUpdate();
      }
      return;
    }
    Set<String> indexed = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(SELECT_REQUESTS)) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          indexed.add(rs.getString(1));
        }
      }
    }
    List<String> stale = new ArrayList<>();
    for (String rid : indexed) {
      if (!requestIds.contains(rid)) {
        stale.add(rid);
      }
    }
    List<String> added = new ArrayList<>();
    for (String rid : requestIds) {
      if (!indexed.contains(rid)) {
        added.add(rid);
      }
    }
    if (!stale.isEmpty()) {
      StringBuilder sql =
          new StringBuilder("DELETE FROM pairgate_request WHERE device_id = ? AND request_id IN (?");
      sql.append(", ?".repeat(stale.size() - 1)).append(')');
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        ps.setString(1, id);
        int p = 2;
        for (String rid : stale) {
          ps.setString(p++, rid);
        }
        ps.executeUpdate();
      }
    }
    if (!added.isEmpty()) {
      StringBuilder sql = new StringBuilder(
          "INSERT INTO pairgate_request (request_id, device_id) VALUES (?, ?)");
      sql.append(", (?, ?)".repeat(added.size() - 1));
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        int p = 1;
        for (String rid : added) {
          ps.setString(p++, rid);
          ps.setString(p++, id);
        }
        ps.executeUpdate();
      }
    }
  }

  /** Sets {@code pending_expires_at} and {@code pending_address} at {@code index}, +1. */
  private static void setPendingColumns(PreparedStatement ps, int index, DeviceRecord r)
      throws SQLException {
    PendingRequest p = r.pending();
    if (p == null) {
      ps.setNull(index, Types.BIGINT);
      ps.setNull(index + 1, Types.VARCHAR);
    } else {
      ps.setLong(index, epochMillisFloor(p.expiresAt()));
      ps.setString(index + 1, addressKey(p.remoteAddress()));
    }
  }

  /** The indexed form of a client address: itself, or a digest when it is over 200 characters. */
  static String addressKey(String address) {
    if (address.length() <= 200) {
      return address;
    }
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(address.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  private boolean exists(String id) {
    try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(SELECT_EXISTS)) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    } catch (SQLException e) {
      throw SqlErrors.failure("load of device " + id, SqlErrors.classify(dialect, e), e);
    }
  }

  /**
   * H2 commits are not fsynced; CHECKPOINT SYNC forces them to disk. Called after a commit
   * returned. Group commit: a checkpoint covers every commit that returned before it started, so a
   * writer whose commit is already covered by a checkpoint that another writer ran (or is running
   * while this one waits) does not run another.
   */
  private void checkpoint(String id) {
    long mine = committedWrites.incrementAndGet();
    synchronized (checkpointLock) {
      if (checkpointedWrites >= mine) {
        return;
      }
      long covered = committedWrites.get();
      runCheckpoint(id);
      checkpointedWrites = covered;
    }
  }

  private void runCheckpoint(String id) {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("CHECKPOINT SYNC");
    } catch (SQLException e) {
      throw new StoreException("the change to device " + id + " was committed, but CHECKPOINT "
          + "SYNC failed (" + SqlErrors.describe(e) + "), so it may not survive a power failure: "
          + e.getMessage(), true, e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // touch

  /**
   * Buffers the access time in memory (no database write on the caller's thread); the background
   * flusher, {@link #flushTouches()} or {@link #close()} writes it. Reads through this store object
   * see it at once.
   */
  @Override
  public void touch(DeviceId deviceId, Role role, Instant at) {
    if (!closed) {
      touches.add(deviceId.value(), role.name(), at);
    }
  }

  /**
   * Writes every buffered touch now, each in its own short auto-commit statement, outside the
   * versioned rows. Called by the background flusher and by {@link #close()}; call it yourself
   * before reading access times through another store object.
   *
   * @throws StoreException if the database fails; the unwritten touches stay buffered
   */
  public void flushTouches() {
    synchronized (flushLock) {
      List<TouchBuffer.Entry> batch = touches.drain();
      if (batch.isEmpty()) {
        return;
      }
      lockWrites();
      try (Connection c = connect();
          PreparedStatement update = c.prepareStatement(UPDATE_TOUCH);
          PreparedStatement insert = c.prepareStatement(insertTouchSql)) {
        for (int i = 0; i < batch.size(); i++) {
          TouchBuffer.Entry e = batch.get(i);
          for (Map.Entry<String, Instant> r : e.byRole().entrySet()) {
            writeTouch(update, insert, e.deviceId(), r.getKey(), r.getValue());
          }
        }
      } catch (SQLException e) {
        touches.restore(batch);
        throw SqlErrors.failure("writing access times", SqlErrors.classify(dialect, e), e);
      } finally {
        unlockWrites();
      }
    }
  }

  private void lockWrites() {
    if (writeLock != null) {
      writeLock.lock();
    }
  }

  private void unlockWrites() {
    if (writeLock != null) {
      writeLock.unlock();
    }
  }

  private void writeTouch(PreparedStatement update, PreparedStatement insert, String deviceId,
      String role, Instant at) throws SQLException {
    long ms;
    try {
      ms = at.toEpochMilli();
    } catch (ArithmeticException outOfRange) {
      return; // not representable as epoch milliseconds: drop (best effort)
    }
    int nanos = (int) Math.floorMod(at.getNano(), 1_000_000L);
    for (int attempt = 0; attempt < 2; attempt++) {
      update.setLong(1, ms);
      update.setInt(2, nanos);
      update.setString(3, deviceId);
      update.setString(4, role);
      update.setLong(5, ms);
      update.setLong(6, ms);
      update.setInt(7, nanos);
      if (update.executeUpdate() > 0) {
        return;
      }
      insert.setString(1, deviceId);
      insert.setString(2, role);
      insert.setLong(3, ms);
      insert.setInt(4, nanos);
      insert.setString(5, deviceId);
      insert.setString(6, deviceId);
      insert.setString(7, role);
      try {
        insert.executeUpdate();
        return; // inserted, or nothing to do (device gone, or a newer time already stored)
      } catch (SQLException e) {
        if (SqlErrors.classify(dialect, e) != SqlErrors.Kind.DUPLICATE_KEY) {
          throw e;
        }
        // another instance inserted the row a moment ago: compare with it once more
      }
    }
  }

  private void flushInBackground() {
    try {
      flushTouches();
    } catch (RuntimeException e) {
      LOG.warn("writing buffered access times failed; will retry: {}", e.getMessage());
    }
    long dropped = touches.dropped();
    if (dropped > 0) {
      LOG.debug("{} access-time updates dropped so far because the buffer was full", dropped);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // change notifications

  /**
   * On PostgreSQL, notifies {@code listener} of every committed change of a device record made by
   * any store on the same database (this process or another): each compare-and-set sends
   * {@code NOTIFY pairgate_device_changed, '<deviceId>'} in its transaction, and the subscription
   * holds one extra connection that {@code LISTEN}s. Other dialects return empty: SQLite and H2
   * files serve one process, and MariaDB has no notification channel.
   */
  @Override
  public Optional<ChangeSubscription> subscribe(ChangeListener listener) {
    Objects.requireNonNull(listener, "listener");
    ensureOpen();
    if (dialect != Dialect.POSTGRESQL) {
      return Optional.empty();
    }
    PgNotifications n = new PgNotifications(dataSource, listener).start();
    subscriptions.add(n);
    return Optional.of(n);
  }

  // ---------------------------------------------------------------------------------------------
  // lifecycle

  /**
   * Stops the touch flusher, writes the buffered touches (best effort: a failure is logged) and
   * releases the store. A data source passed to {@link #builder(DataSource)} is the caller's to
   * close; the one made by {@link #sqlite(Path)} is closed here.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (PgNotifications n : subscriptions) {
      n.close();
    }
    if (flusher != null) {
      flusher.shutdown();
      try {
        if (!flusher.awaitTermination(10, TimeUnit.SECONDS)) {
          flusher.shutdownNow();
        }
      } catch (InterruptedException e) {
        flusher.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    try {
      flushTouches();
    } catch (RuntimeException e) {
      LOG.warn("could not write buffered access times on close: {}", e.getMessage());
    } finally {
      if (ownedDataSource != null) {
        ownedDataSource.close();
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new StoreException("the JDBC pairing store is closed", false);
    }
  }

  /** Borrows a connection and applies per-connection settings the dialect needs. */
  private Connection connect() throws SQLException {
    Connection c = dataSource.getConnection();
    if (dialect == Dialect.SQLITE) {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout = " + busyTimeoutMs);
        if (sqliteSynchronousFull) {
          s.execute("PRAGMA synchronous = FULL");
        }
      } catch (SQLException e) {
        closeQuietly(c);
        throw e;
      }
    }
    return c;
  }

  private static void rollbackQuietly(@Nullable Connection c, SQLException cause) {
    if (c == null) {
      return;
    }
    try {
      if (!c.getAutoCommit()) {
        c.rollback();
      }
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private static void closeQuietly(@Nullable Connection c) {
    if (c == null) {
      return;
    }
    try {
      if (!c.isClosed() && !c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      LOG.debug("could not restore auto-commit before returning a connection", e);
    }
    try {
      c.close();
    } catch (SQLException e) {
      LOG.debug("closing a connection failed", e);
    }
  }

  static long epochMillisFloor(Instant at) {
    try {
      return at.toEpochMilli();
    } catch (ArithmeticException e) {
      return at.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // builder

  /**
   * Configures a {@link JdbcPairingStore}. {@link #open()} connects once to detect the dialect,
   * applies missing schema migrations (unless turned off) and starts the touch flusher.
   */
  public static final class Builder {
    private final DataSource dataSource;
    private @Nullable Dialect dialect;
    private boolean migrate = true;
    private Clock clock = Clock.systemUTC();
    private boolean durableCommits = true;
    private Duration busyTimeout = Duration.ofSeconds(5);
    private Duration touchFlushInterval = Duration.ofSeconds(1);
    private Duration migrationLockTimeout = Duration.ofMinutes(1);
    private int maxBufferedTouches = 100_000;
    private @Nullable UrlDataSource ownedDataSource;

    private Builder(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    /**
     * The dialect, instead of detecting it from {@code DatabaseMetaData.getDatabaseProductName()}.
     */
    public Builder dialect(Dialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "dialect");
      return this;
    }

    /**
     * Whether {@link #open()} applies missing schema scripts (default {@code true}). Turn it off
     * when Flyway or Liquibase applies the scripts from {@link Dialect#schemaLocation()}; the store
     * then only checks that its tables exist.
     */
    public Builder migrate(boolean migrate) {
      this.migrate = migrate;
      return this;
    }

    /** The clock for {@code updated_at} and migration timestamps (default system UTC). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Whether a committed compare-and-set must be on disk before it returns (default
     * {@code true}): SQLite {@code synchronous=FULL} on every connection, H2 {@code CHECKPOINT
     * SYNC} after every write. {@code false} leaves SQLite's connection setting alone and skips
     * H2's checkpoint: faster, but the latest changes can be lost on an operating-system crash or
     * power failure. PostgreSQL and MariaDB follow the server's settings either way.
     */
    public Builder durableCommits(boolean durable) {
      this.durableCommits = durable;
      return this;
    }

    /** SQLite only: how long a statement waits for another writer's lock (default 5 s). */
    public Builder busyTimeout(Duration timeout) {
      this.busyTimeout = positive("busyTimeout", timeout);
      return this;
    }

    /**
     * How often buffered {@link #touch} times are written (default 1 s). {@link Duration#ZERO}
     * starts no flusher thread: touches are written only by {@link #flushTouches()} and
     * {@link #close()}.
     */
    public Builder touchFlushInterval(Duration interval) {
      if (interval.isNegative()) {
        throw invalid("touchFlushInterval must not be negative, was " + interval);
      }
      this.touchFlushInterval = interval;
      return this;
    }

    /** At most this many devices' touches are buffered between flushes (default 100 000). */
    public Builder maxBufferedTouches(int max) {
      if (max < 1) {
        throw invalid("maxBufferedTouches must be >= 1, was " + max);
      }
      this.maxBufferedTouches = max;
      return this;
    }

    /** How long {@link #open()} waits for another instance's migration (default 1 minute). */
    public Builder migrationLockTimeout(Duration timeout) {
      this.migrationLockTimeout = positive("migrationLockTimeout", timeout);
      return this;
    }

    private static Duration positive(String name, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw invalid(name + " must be positive, was " + d);
      }
      return d;
    }

    /**
     * Connects, detects the dialect, migrates (or checks) the schema and returns the store.
     *
     * @throws StoreException if the database cannot be reached (retryable), the schema is newer
     *     than this library or a required table is missing (not retryable)
     * @throws PairgateException with {@link ErrorCode#INVALID_ARGUMENT} for an unsupported
     *     database
     */
    public JdbcPairingStore open() {
      try {
        return buildOrThrow();
      } catch (RuntimeException e) {
        if (ownedDataSource != null) {
          ownedDataSource.close();
        }
        throw e;
      }
    }

    private JdbcPairingStore buildOrThrow() {
      Dialect d = dialect;
      boolean inMemory;
      String sqliteFile = null;
      try (Connection c = dataSource.getConnection()) {
        DatabaseMetaData md = c.getMetaData();
        if (d == null) {
          try {
            d = Dialect.detect(md);
          } catch (IllegalArgumentException e) {
            throw new PairgateException(ErrorCode.INVALID_ARGUMENT, e.getMessage(), e);
          }
        }
        String url = String.valueOf(md.getURL()).toLowerCase(Locale.ROOT);
        inMemory = url.contains(":mem:") || url.contains(":memory:");
        if (d == Dialect.SQLITE && !inMemory) {
          sqliteFile = mainFile(c);
          ownerOnly(sqliteFile);
          enableWal(c);
        }
      } catch (SQLException e) {
        Dialect forErrors = d == null ? Dialect.POSTGRESQL : d;
        throw SqlErrors.failure("connecting to the pairing database",
            SqlErrors.classify(forErrors, e), e);
      }
      if (migrate) {
        new Migrator(dataSource, d, d.schemaLocation(), Migrator.MIGRATIONS, clock,
            migrationLockTimeout, "pid " + ProcessHandle.current().pid()).migrate();
      } else {
        checkSchema(d);
      }
      try {
        TokenUpgrade.run(dataSource, d);
      } catch (SQLException e) {
        throw SqlErrors.failure("hashing the token secrets of an older store",
            SqlErrors.classify(d, e), e);
      }
      return new JdbcPairingStore(this, d, inMemory, sqliteFile);
    }

    /**
     * Restricts an SQLite database file (and its {@code -wal}/{@code -shm} files, which SQLite
     * creates with the database file's mode) to mode 0600 on POSIX file systems: it holds device
     * records and token hashes. A file that is already wider than that is narrowed, with a WARN.
     */
    private static void ownerOnly(@Nullable String file) {
      if (file == null || file.isEmpty()) {
        return;
      }
      for (String suffix : List.of("", "-wal", "-shm")) {
        Path p = Path.of(file + suffix);
        try {
          java.nio.file.attribute.PosixFileAttributeView v = java.nio.file.Files
              .getFileAttributeView(p, java.nio.file.attribute.PosixFileAttributeView.class,
                  java.nio.file.LinkOption.NOFOLLOW_LINKS);
          if (v == null || !java.nio.file.Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            continue;
          }
          java.util.Set<java.nio.file.attribute.PosixFilePermission> perms =
              v.readAttributes().permissions();
          java.util.Set<java.nio.file.attribute.PosixFilePermission> owner =
              java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
          if (!owner.containsAll(perms)) {
            if (java.nio.file.Files.size(p) > 0) {
              LOG.warn("{} was readable or writable by others ({}); narrowing it to rw-------", p,
                  java.nio.file.attribute.PosixFilePermissions.toString(perms));
            }
            v.setPermissions(owner);
          }
        } catch (java.io.IOException e) {
          throw new StoreException("cannot restrict " + p + " to its owner: " + e, false, e);
        }
      }
    }

    private void enableWal(Connection c) throws SQLException {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
          "PRAGMA journal_mode = WAL")) {
        String mode = rs.next() ? rs.getString(1) : "?";
        if (!"wal".equalsIgnoreCase(mode)) {
          LOG.warn("SQLite refused WAL journaling (journal_mode is {}); commits still fsync with "
              + "synchronous=FULL, at a higher cost", mode);
        }
      }
    }

    /** The real path of an SQLite connection's main database file, or null if it has none. */
    private static @Nullable String mainFile(Connection c) throws SQLException {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("PRAGMA database_list")) {
        while (rs.next()) {
          String file = rs.getString("file");
          if ("main".equals(rs.getString("name")) && file != null && !file.isEmpty()) {
            try {
              return Path.of(file).toRealPath().toString();
            } catch (IOException | InvalidPathException e) {
              return file;
            }
          }
        }
      }
      return null;
    }

    private void checkSchema(Dialect d) {
      try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
        s.executeQuery("SELECT device_id, version, record_json, pending_expires_at,"
            + " pending_address, updated_at FROM pairgate_device WHERE 1 = 0").close();
        s.executeQuery("SELECT request_id, device_id FROM pairgate_request WHERE 1 = 0").close();
        s.executeQuery("SELECT device_id, role_name, at_ms, at_nanos FROM pairgate_touch"
            + " WHERE 1 = 0").close();
      } catch (SQLException e) {
        SqlErrors.Kind kind = SqlErrors.classify(d, e);
        if (kind == SqlErrors.Kind.TRANSIENT) {
          throw SqlErrors.failure("checking the pairing schema", kind, e);
        }
        throw new StoreException("the pairing tables are missing or incomplete ("
            + SqlErrors.describe(e) + "); apply the scripts in classpath:" + d.schemaLocation()
            + " (Flyway/Liquibase) or build the store with migrate(true): " + e.getMessage(),
            false, e);
      }
    }

    private static PairgateException invalid(String message) {
      return new PairgateException(ErrorCode.INVALID_ARGUMENT, message);
    }
  }
}
