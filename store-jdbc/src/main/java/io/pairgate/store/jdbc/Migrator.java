package io.pairgate.store.jdbc;

import io.pairgate.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in schema migrator: applies the dialect's scripts {@code V<n>__<description>.sql} that
 * are not yet recorded in {@code pairgate_schema_history}, in order, each exactly once even when
 * several store instances start at the same moment.
 *
 * <p>Mutual exclusion per dialect:
 *
 * <ul>
 *   <li>PostgreSQL: a session advisory lock keyed by the current schema
 *       ({@code pg_try_advisory_lock}); each script and its history row commit in one transaction
 *       (PostgreSQL DDL is transactional).
 *   <li>MariaDB/MySQL: {@code GET_LOCK('pairgate.migrate.<database>')}. DDL commits implicitly, so
 *       the scripts are idempotent and the history row is written after the script.
 *   <li>SQLite: {@code BEGIN IMMEDIATE} holds the database's write lock for the whole migration,
 *       and SQLite DDL is transactional.
 *   <li>H2: a row lock ({@code SELECT … FOR UPDATE}) on {@code pairgate_schema_lock}, held by a
 *       second connection for the duration; released by rollback, or by the connection closing if
 *       the process dies.
 * </ul>
 */
final class Migrator {
  private static final Logger LOG = LoggerFactory.getLogger(Migrator.class);
  static final String HISTORY_TABLE = "pairgate_schema_history";

  /** One script: {@code <base>/V<version>__<description>.sql}. */
  record Migration(int version, String description) {
    String resource(String base) {
      return base + "/V" + version + "__" + description + ".sql";
    }
  }

  /** The schema this version of the library needs. */
  static final List<Migration> MIGRATIONS = List.of(new Migration(1, "create_tables"));

  private final DataSource dataSource;
  private final Dialect dialect;
  private final String resourceBase;
  private final List<Migration> migrations;
  private final Clock clock;
  private final Duration lockTimeout;
  private final String appliedBy;

  Migrator(DataSource dataSource, Dialect dialect, String resourceBase, List<Migration> migrations,
      Clock clock, Duration lockTimeout, String appliedBy) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.resourceBase = resourceBase;
    this.migrations = List.copyOf(migrations);
    this.clock = clock;
    this.lockTimeout = lockTimeout;
    this.appliedBy = appliedBy;
  }

  /** Applies every missing migration; returns the versions this call applied. */
  List<Integer> migrate() {
    Map<Integer, String> scripts = new TreeMap<>();
    for (Migration m : migrations) {
      scripts.put(m.version(), load(m.resource(resourceBase)));
    }
    try (Connection c = connect()) {
      return switch (dialect) {
        case POSTGRESQL -> withPostgresLock(c, scripts);
        case MARIADB -> withMariaDbLock(c, scripts);
        case SQLITE -> sqlite(c, scripts);
        case H2 -> withH2Lock(c, scripts);
      };
    } catch (SQLException e) {
      throw SqlErrors.failure("schema migration", SqlErrors.classify(dialect, e), e);
    }
  }

  /**
   * A connection for the migration. Opening an SQLite connection can itself answer BUSY (the
   * driver applies pragmas such as {@code journal_mode=WAL} while another starter holds the
   * database lock): that is retried until the lock timeout like the migration itself.
   */
  private Connection connect() throws SQLException {
    long deadline = System.nanoTime() + lockTimeout.toNanos();
    while (true) {
      try {
        return dataSource.getConnection();
      } catch (SQLException e) {
        if (dialect != Dialect.SQLITE
            || SqlErrors.classify(dialect, e) != SqlErrors.Kind.TRANSIENT) {
          throw e;
        }
        pause(deadline);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // locking per dialect

  private List<Integer> withPostgresLock(Connection c, Map<Integer, String> scripts)
      throws SQLException {
    c.setAutoCommit(true);
    String key = "hashtext('pairgate.migrate.' || current_schema())";
    long deadline = System.nanoTime() + lockTimeout.toNanos();
    while (!queryBoolean(c, "SELECT pg_try_advisory_lock(" + key + ")")) {
      pause(deadline);
    }
    try {
      return applyTransactional(c, scripts);
    } finally {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_unlock(" + key + ")");
      }
    }
  }

  private List<Integer> withMariaDbLock(Connection c, Map<Integer, String> scripts)
      throws SQLException {
    c.setAutoCommit(true);
    String name = "CONCAT('pairgate.migrate.', COALESCE(DATABASE(), ''))";
    long seconds = Math.max(1, lockTimeout.toSeconds());
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT GET_LOCK(" + name + ", " + seconds + ")")) {
      rs.next();
      if (rs.getInt(1) != 1) {
        throw new StoreException("schema migration: another instance held the migration lock "
            + "for more than " + lockTimeout + " (GET_LOCK timed out)", true);
      }
    }
    try {
      List<Integer> applied = new ArrayList<>();
      createHistory(c);
      Map<Integer, String> done = applied(c, scripts);
      for (Map.Entry<Integer, String> e : scripts.entrySet()) {
        if (!done.containsKey(e.getKey())) {
          runScript(c, e.getKey(), e.getValue());
          recordApplied(c, e.getKey(), e.getValue());
          applied.add(e.getKey());
        }
      }
      return applied;
    } finally {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT RELEASE_LOCK(" + name + ")");
      }
    }
  }

  /**
   * SQLite: the whole migration is one {@code BEGIN IMMEDIATE} transaction, and the whole attempt
   * is retried while SQLite answers {@code SQLITE_BUSY}/{@code SQLITE_LOCKED} (another starter
   * holds the database lock, or converts it to WAL), until the migration lock timeout. The
   * connection waits up to 5 s in SQLite's own busy handler before each such answer, whatever
   * the data source configured. (A BUSY that escaped at the start or at COMMIT used to fail a
   * concurrent start under load.)
   */
  private List<Integer> sqlite(Connection c, Map<Integer, String> scripts) throws SQLException {
    c.setAutoCommit(true);
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 5000");
    }
    long deadline = System.nanoTime() + lockTimeout.toNanos();
    while (true) {
      try {
        return sqliteAttempt(c, scripts);
      } catch (SQLException e) {
        if (SqlErrors.classify(dialect, e) != SqlErrors.Kind.TRANSIENT) {
          throw e;
        }
        LOG.debug("SQLite migration busy; retrying", e);
        pause(deadline);
      }
    }
  }

  private List<Integer> sqliteAttempt(Connection c, Map<Integer, String> scripts)
      throws SQLException {
    // BEGIN IMMEDIATE takes the write lock now (waiting up to busy_timeout), so concurrent
    // migrators serialize here; everything below, DDL included, commits atomically.
    try (Statement s = c.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
    }
    boolean committed = false;
    try {
      List<Integer> applied = new ArrayList<>();
      createHistory(c);
      Map<Integer, String> done = applied(c, scripts);
      for (Map.Entry<Integer, String> e : scripts.entrySet()) {
        if (!done.containsKey(e.getKey())) {
          runScript(c, e.getKey(), e.getValue());
          recordApplied(c, e.getKey(), e.getValue());
          applied.add(e.getKey());
        }
      }
      try (Statement s = c.createStatement()) {
        s.execute("COMMIT");
      }
      committed = true;
      return applied;
    } finally {
      if (!committed) {
        try (Statement s = c.createStatement()) {
          s.execute("ROLLBACK");
        } catch (SQLException suppressed) {
          LOG.debug("rollback after a failed SQLite migration failed", suppressed);
        }
      }
    }
  }

  private List<Integer> withH2Lock(Connection work, Map<Integer, String> scripts)
      throws SQLException {
    work.setAutoCommit(true);
    try (Statement s = work.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS pairgate_schema_lock (id INT NOT NULL PRIMARY KEY)");
    } catch (SQLException e) {
      // a concurrent starter may have created it a moment earlier; fail only if it is not there
      try (Statement s = work.createStatement()) {
        s.executeQuery("SELECT id FROM pairgate_schema_lock WHERE id = 0").close();
      } catch (SQLException again) {
        e.addSuppressed(again);
        throw e;
      }
    }
    try (Statement s = work.createStatement()) {
      s.execute("MERGE INTO pairgate_schema_lock (id) KEY (id) VALUES (1)");
    } catch (SQLException e) {
      if (SqlErrors.classify(dialect, e) == SqlErrors.Kind.FATAL) {
        throw e;
      } // a concurrent starter inserted the row first: fine
    }
    long deadline = System.nanoTime() + lockTimeout.toNanos();
    try (Connection lock = dataSource.getConnection()) {
      lock.setAutoCommit(false);
      try {
        while (true) {
          try (Statement s = lock.createStatement();
              ResultSet rs = s.executeQuery(
                  "SELECT id FROM pairgate_schema_lock WHERE id = 1 FOR UPDATE")) {
            rs.next();
            break;
          } catch (SQLException e) {
            if (SqlErrors.classify(dialect, e) == SqlErrors.Kind.FATAL) {
              throw e;
            }
            lock.rollback();
            pause(deadline);
          }
        }
        return applyTransactional(work, scripts);
      } finally {
        lock.rollback();
        lock.setAutoCommit(true);
      }
    }
  }

  /** Applies each missing script and its history row in one transaction (PostgreSQL, H2). */
  private List<Integer> applyTransactional(Connection c, Map<Integer, String> scripts)
      throws SQLException {
    createHistory(c);
    Map<Integer, String> done = applied(c, scripts);
    List<Integer> applied = new ArrayList<>();
    for (Map.Entry<Integer, String> e : scripts.entrySet()) {
      if (done.containsKey(e.getKey())) {
        continue;
      }
      c.setAutoCommit(false);
      try {
        runScript(c, e.getKey(), e.getValue());
        recordApplied(c, e.getKey(), e.getValue());
        c.commit();
      } catch (SQLException | RuntimeException ex) {
        try {
          c.rollback();
        } catch (SQLException suppressed) {
          ex.addSuppressed(suppressed);
        }
        throw ex;
      } finally {
        c.setAutoCommit(true);
      }
      applied.add(e.getKey());
    }
    return applied;
  }

  // ---------------------------------------------------------------------------------------------
  // history

  private void createHistory(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS " + HISTORY_TABLE + " ("
          + "version INTEGER NOT NULL PRIMARY KEY, "
          + "description VARCHAR(200) NOT NULL, "
          + "checksum VARCHAR(64) NOT NULL, "
          + "applied_at BIGINT NOT NULL, "
          + "applied_by VARCHAR(200) NOT NULL)");
    }
  }

  /** The applied versions and checksums; fails if the database is ahead or a script changed. */
  private Map<Integer, String> applied(Connection c, Map<Integer, String> scripts)
      throws SQLException {
    Map<Integer, String> done = readHistory(c);
    int newest = scripts.isEmpty() ? 0 : ((TreeMap<Integer, String>) scripts).lastKey();
    for (Map.Entry<Integer, String> e : done.entrySet()) {
      if (e.getKey() > newest) {
        throw new StoreException("the database schema is at version " + e.getKey()
            + ", newer than this Pairgate supports (" + newest + "); upgrade Pairgate", false);
      }
      String script = scripts.get(e.getKey());
      if (script != null && !checksum(script).equals(e.getValue())) {
        throw new StoreException("schema script V" + e.getKey() + " differs from the one applied "
            + "to this database (checksum " + e.getValue() + " in " + HISTORY_TABLE + ")", false);
      }
    }
    return done;
  }

  static Map<Integer, String> readHistory(Connection c) throws SQLException {
    Map<Integer, String> done = new TreeMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT version, checksum FROM " + HISTORY_TABLE)) {
      while (rs.next()) {
        done.put(rs.getInt(1), rs.getString(2));
      }
    }
    return done;
  }

  private void recordApplied(Connection c, int version, String script) throws SQLException {
    String description = "";
    for (Migration m : migrations) {
      if (m.version() == version) {
        description = m.description();
      }
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + HISTORY_TABLE
        + " (version, description, checksum, applied_at, applied_by) VALUES (?, ?, ?, ?, ?)")) {
      ps.setInt(1, version);
      ps.setString(2, description);
      ps.setString(3, checksum(script));
      ps.setLong(4, clock.millis());
      ps.setString(5, appliedBy.length() > 200 ? appliedBy.substring(0, 200) : appliedBy);
      ps.executeUpdate();
    }
    LOG.info("applied Pairgate schema version {} ({}) for {}", version, description, dialect);
  }

  private void runScript(Connection c, int version, String script) throws SQLException {
    for (String sql : statements(script)) {
      try (Statement s = c.createStatement()) {
        s.execute(sql);
      } catch (SQLException e) {
        throw new SQLException("schema script V" + version + " failed at: " + sql + ": "
            + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
      }
    }
  }

  /** Splits a script into statements: drops {@code --} comments, splits at {@code ;}. */
  static List<String> statements(String script) {
    StringBuilder clean = new StringBuilder(script.length());
    for (String line : script.split("\n", -1)) {
      int dash = line.indexOf("--");
      clean.append(dash >= 0 ? line.substring(0, dash) : line).append('\n');
    }
    List<String> out = new ArrayList<>();
    for (String part : clean.toString().split(";")) {
      String sql = part.strip();
      if (!sql.isEmpty()) {
        out.add(sql);
      }
    }
    return out;
  }

  static String checksum(String script) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256")
          .digest(script.replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  static String load(String resource) {
    // Class (not ClassLoader) lookup: it also finds the scripts when this jar is a named module,
    // whose resource packages (schema/...) are not open
    try (InputStream in = Migrator.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        throw new StoreException("schema script " + resource + " is missing from the classpath",
            false);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new StoreException("cannot read schema script " + resource, false, e);
    }
  }

  private static boolean queryBoolean(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private void pause(long deadlineNanos) {
    if (System.nanoTime() > deadlineNanos) {
      throw new StoreException("schema migration: another instance held the migration lock for "
          + "more than " + lockTimeout, true);
    }
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while waiting for the migration lock", true, e);
    }
  }
}
