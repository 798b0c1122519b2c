package io.pairgate.store.jdbc;

import io.pairgate.StoreException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Locale;
import java.util.Set;

/**
 * Classifies {@link SQLException}s per dialect into what the store does with them.
 *
 * <table>
 *   <caption>Classification</caption>
 *   <tr><th>kind</th><th>examples</th><th>what the store does</th></tr>
 *   <tr><td>{@link Kind#DUPLICATE_KEY}</td><td>23505; MariaDB 1062; SQLite constraint (19)</td>
 *       <td>creating a device that exists: compare-and-set returns {@code false}</td></tr>
 *   <tr><td>{@link Kind#CONFLICT}</td><td>40001 serialization failure, 40P01 deadlock, H2 90131
 *       concurrent update, SQLite {@code BUSY_SNAPSHOT}</td><td>compare-and-set rolls back and
 *       returns {@code false}, so the caller reloads and retries</td></tr>
 *   <tr><td>{@link Kind#TRANSIENT}</td><td>08xxx connection errors, 57P01–57P03 (terminated
 *       backend, shutdown), 53300, lock and statement timeouts (55P03, 57014, HYT00, MariaDB 1205,
 *       SQLite {@code BUSY}), pool time-outs</td><td>a retryable {@link StoreException}</td></tr>
 *   <tr><td>{@link Kind#FATAL}</td><td>everything else: missing table, bad SQL, disk full,
 *       corruption</td><td>a non-retryable {@link StoreException}</td></tr>
 * </table>
 *
 * Every message names the SQL state and vendor code.
 */
final class SqlErrors {
  /** What an error means for the operation that hit it. */
  enum Kind {
    /** A unique or primary-key violation. */
    DUPLICATE_KEY,
    /** A transaction lost a race (serialization failure, deadlock); nothing was applied. */
    CONFLICT,
    /** The connection or a lock wait failed; the same operation may succeed if tried again. */
    TRANSIENT,
    /** Anything else: trying again will not help. */
    FATAL
  }

  private static final Set<String> PG_TRANSIENT =
      Set.of("57P01", "57P02", "57P03", "53300", "53400", "55P03", "57014", "55006");

  private SqlErrors() {}

  static Kind classify(Dialect dialect, SQLException e) {
    for (Throwable t = e; t != null; t = next(t)) {
      if (t instanceof SQLException s) {
        Kind k = classifyOne(dialect, s);
        if (k != Kind.FATAL) {
          return k;
        }
      }
    }
    return Kind.FATAL;
  }

  private static Throwable next(Throwable t) {
    if (t instanceof SQLException s && s.getNextException() != null && s.getNextException() != t) {
      return s.getNextException();
    }
    return t.getCause() == t ? null : t.getCause();
  }

  private static Kind classifyOne(Dialect dialect, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    int code = e.getErrorCode();
    switch (dialect) {
      case SQLITE -> {
        int primary = code & 0xff;
        String msg = String.valueOf(e.getMessage()).toUpperCase(Locale.ROOT);
        if (primary == 19 && (msg.contains("UNIQUE") || msg.contains("PRIMARYKEY")
            || msg.contains("PRIMARY KEY"))) {
          return Kind.DUPLICATE_KEY;
        }
        if (msg.contains("SQLITE_BUSY_SNAPSHOT")) {
          return Kind.CONFLICT;
        }
        if (primary == 5 || primary == 6) { // SQLITE_BUSY, SQLITE_LOCKED: busy_timeout ran out
          return Kind.TRANSIENT;
        }
      }
      case MARIADB -> {
        if (code == 1062 || code == 1586) {
          return Kind.DUPLICATE_KEY;
        }
        if (code == 1213 || state.equals("40001")) {
          return Kind.CONFLICT;
        }
        // 1205 lock wait timeout, 1927 connection killed, 1317 query interrupted,
        // 2006/2013 server gone away / lost connection, 1040 too many connections,
        // 1053 server shutdown, 1290 read-only (fail-over in progress)
        if (code == 1205 || code == 1927 || code == 1317 || code == 2006 || code == 2013
            || code == 1040 || code == 1053 || code == 1290 || state.equals("70100")) {
          return Kind.TRANSIENT;
        }
      }
      case POSTGRESQL -> {
        if (state.equals("23505")) {
          return Kind.DUPLICATE_KEY;
        }
        if (state.equals("40001") || state.equals("40P01")) {
          return Kind.CONFLICT;
        }
        if (PG_TRANSIENT.contains(state)) {
          return Kind.TRANSIENT;
        }
      }
      case H2 -> {
        if (state.equals("23505")) {
          return Kind.DUPLICATE_KEY;
        }
        // 40001 deadlock, 90131 concurrent update of the same row
        if (state.equals("40001") || code == 90131 || state.equals("90131")) {
          return Kind.CONFLICT;
        }
        // HYT00 lock timeout (50200), 90067 connection broken, 90098 database closed,
        // 90121 database closed during shutdown
        if (state.equals("HYT00") || code == 50200 || code == 90067 || code == 90098
            || code == 90121) {
          return Kind.TRANSIENT;
        }
      }
      default -> throw new AssertionError(dialect);
    }
    if (state.startsWith("08")) {
      return Kind.TRANSIENT;
    }
    if (e instanceof SQLTransientException || e instanceof SQLRecoverableException
        || e instanceof SQLNonTransientConnectionException) {
      // a lost or refused connection, a pool time-out: another attempt gets another connection
      return Kind.TRANSIENT;
    }
    return Kind.FATAL;
  }

  /** The store failure for {@code e}, retryable unless {@code kind} is {@link Kind#FATAL}. */
  static StoreException failure(String what, Kind kind, SQLException e) {
    boolean retryable = kind != Kind.FATAL;
    return new StoreException(
        what + " failed (" + describe(e) + (retryable ? ", retryable" : "") + "): "
            + e.getMessage(),
        retryable, e);
  }

  /** {@code "SQLState 08006, vendor code 0"}. */
  static String describe(SQLException e) {
    return "SQLState " + (e.getSQLState() == null ? "none" : e.getSQLState()) + ", vendor code "
        + e.getErrorCode();
  }
}
