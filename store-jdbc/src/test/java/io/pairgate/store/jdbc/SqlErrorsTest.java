package io.pairgate.store.jdbc;

import static io.pairgate.store.jdbc.SqlErrors.Kind.CONFLICT;
import static io.pairgate.store.jdbc.SqlErrors.Kind.DUPLICATE_KEY;
import static io.pairgate.store.jdbc.SqlErrors.Kind.FATAL;
import static io.pairgate.store.jdbc.SqlErrors.Kind.TRANSIENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.StoreException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/**
 * The classification table for SQL states and vendor codes as the drivers report them (the codes
 * below are the ones the PostgreSQL, MariaDB, H2 and SQLite drivers put in their exceptions; the
 * real-database tests observe several of them end to end).
 */
class SqlErrorsTest {
  private static SqlErrors.Kind kind(Dialect d, String state, int code) {
    return SqlErrors.classify(d, new SQLException("boom", state, code));
  }

  @Test
  void postgresql() {
    assertEquals(DUPLICATE_KEY, kind(Dialect.POSTGRESQL, "23505", 0));
    assertEquals(CONFLICT, kind(Dialect.POSTGRESQL, "40001", 0));
    assertEquals(CONFLICT, kind(Dialect.POSTGRESQL, "40P01", 0));
    assertEquals(TRANSIENT, kind(Dialect.POSTGRESQL, "57P01", 0)); // pg_terminate_backend
    assertEquals(TRANSIENT, kind(Dialect.POSTGRESQL, "08006", 0)); // I/O error
    assertEquals(TRANSIENT, kind(Dialect.POSTGRESQL, "08001", 0)); // cannot connect
    assertEquals(TRANSIENT, kind(Dialect.POSTGRESQL, "53300", 0)); // too many connections
    assertEquals(TRANSIENT, kind(Dialect.POSTGRESQL, "55P03", 0)); // lock_timeout
    assertEquals(FATAL, kind(Dialect.POSTGRESQL, "42P01", 0)); // undefined table
    assertEquals(FATAL, kind(Dialect.POSTGRESQL, "23502", 0)); // not null violation
    assertEquals(FATAL, kind(Dialect.POSTGRESQL, null, 0));
  }

  @Test
  void mariadb() {
    assertEquals(DUPLICATE_KEY, kind(Dialect.MARIADB, "23000", 1062));
    assertEquals(CONFLICT, kind(Dialect.MARIADB, "40001", 1213));
    assertEquals(TRANSIENT, kind(Dialect.MARIADB, "HY000", 1205)); // lock wait timeout
    assertEquals(TRANSIENT, kind(Dialect.MARIADB, "70100", 1927)); // connection killed
    assertEquals(TRANSIENT, kind(Dialect.MARIADB, "08S01", 0));
    assertEquals(FATAL, kind(Dialect.MARIADB, "42S02", 1146)); // no such table
    assertEquals(FATAL, kind(Dialect.MARIADB, "23000", 1048)); // column cannot be null
  }

  @Test
  void h2() {
    assertEquals(DUPLICATE_KEY, kind(Dialect.H2, "23505", 23505));
    assertEquals(CONFLICT, kind(Dialect.H2, "40001", 40001));
    assertEquals(CONFLICT, kind(Dialect.H2, "90131", 90131));
    assertEquals(TRANSIENT, kind(Dialect.H2, "HYT00", 50200));
    assertEquals(TRANSIENT, kind(Dialect.H2, "90067", 90067));
    assertEquals(FATAL, kind(Dialect.H2, "42S02", 42102));
  }

  @Test
  void sqlite() {
    assertEquals(DUPLICATE_KEY, SqlErrors.classify(Dialect.SQLITE, new SQLException(
        "[SQLITE_CONSTRAINT_PRIMARYKEY] A PRIMARY KEY constraint failed", null, 19)));
    assertEquals(FATAL, SqlErrors.classify(Dialect.SQLITE, new SQLException(
        "[SQLITE_CONSTRAINT_NOTNULL] A NOT NULL constraint failed", null, 19)));
    assertEquals(TRANSIENT, kind(Dialect.SQLITE, null, 5));
    assertEquals(TRANSIENT, kind(Dialect.SQLITE, null, 6));
    assertEquals(CONFLICT, SqlErrors.classify(Dialect.SQLITE, new SQLException(
        "[SQLITE_BUSY_SNAPSHOT] Another database connection has already written", null, 5)));
    assertEquals(FATAL, kind(Dialect.SQLITE, null, 13)); // SQLITE_FULL
    assertEquals(FATAL, kind(Dialect.SQLITE, null, 11)); // SQLITE_CORRUPT
  }

  @Test
  void exceptionTypesAndChains() {
    assertEquals(TRANSIENT, SqlErrors.classify(Dialect.H2,
        new SQLTransientConnectionException("pool timed out")));
    assertEquals(TRANSIENT, SqlErrors.classify(Dialect.MARIADB,
        new SQLNonTransientConnectionException("socket closed", "08000", 0)));
    BatchUpdateException batch = new BatchUpdateException("batch", "", 0, new int[0]);
    batch.setNextException(new SQLException("deadlock", "40P01", 0));
    assertEquals(CONFLICT, SqlErrors.classify(Dialect.POSTGRESQL, batch));
  }

  @Test
  void failure_namesStateAndCode_andSetsRetryable() {
    SQLException e = new SQLException("terminating connection", "57P01", 0);
    StoreException retryable = SqlErrors.failure("load of device x", TRANSIENT, e);
    assertTrue(retryable.retryable());
    assertTrue(retryable.getMessage().contains("SQLState 57P01"), retryable.getMessage());
    StoreException fatal =
        SqlErrors.failure("load of device x", FATAL, new SQLException("no", "42P01", 7));
    assertFalse(fatal.retryable());
    assertTrue(fatal.getMessage().contains("SQLState 42P01, vendor code 7"), fatal.getMessage());
  }
}
