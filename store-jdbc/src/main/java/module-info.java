/**
 * A {@link io.pairgate.spi.PairingStore} in a SQL database (PostgreSQL, MariaDB, H2, SQLite).
 * JDBC drivers are found by {@link java.sql.DriverManager} (class path or module path); the
 * PostgreSQL change notifications reach the driver's public API reflectively, which needs no
 * {@code --add-opens}.
 */
module io.pairgate.store.jdbc {
  requires transitive io.pairgate.core;
  requires transitive java.sql;
  requires org.slf4j;

  exports io.pairgate.store.jdbc;
}
