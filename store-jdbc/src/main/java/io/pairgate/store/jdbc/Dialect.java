package io.pairgate.store.jdbc;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;

/**
 * The databases the JDBC store supports. {@link JdbcPairingStore} detects the dialect from the
 * connection's metadata; set it explicitly with {@link JdbcPairingStore.Builder#dialect} only when
 * a proxy driver hides the real product name.
 */
public enum Dialect {
  /** H2 2.x, embedded or server mode. */
  H2("h2"),
  /** SQLite 3.35 or later, through the xerial {@code sqlite-jdbc} driver. */
  SQLITE("sqlite"),
  /** PostgreSQL 12 or later. */
  POSTGRESQL("postgresql"),
  /** MariaDB 10.5 or later, or MySQL 8 (InnoDB). */
  MARIADB("mariadb");

  private final String resourceDirectory;

  Dialect(String resourceDirectory) {
    this.resourceDirectory = resourceDirectory;
  }

  /**
   * The classpath folder holding this dialect's schema scripts, e.g. {@code schema/postgresql}.
   * Point Flyway's {@code locations} at {@code classpath:} plus this folder to let Flyway apply
   * them.
   */
  public String schemaLocation() {
    return "schema/" + resourceDirectory;
  }

  /** The dialect named by a JDBC {@code DatabaseMetaData.getDatabaseProductName()}, if supported. */
  public static Optional<Dialect> fromProductName(String productName) {
    String p = productName.toLowerCase(Locale.ROOT);
    if (p.equals("h2")) {
      return Optional.of(H2);
    }
    if (p.contains("sqlite")) {
      return Optional.of(SQLITE);
    }
    if (p.contains("postgresql")) {
      return Optional.of(POSTGRESQL);
    }
    if (p.contains("mariadb") || p.contains("mysql")) {
      return Optional.of(MARIADB);
    }
    return Optional.empty();
  }

  static Dialect detect(DatabaseMetaData md) throws SQLException {
    String product = md.getDatabaseProductName();
    return fromProductName(product)
        .orElseThrow(() -> new IllegalArgumentException(
            "unsupported database \"" + product + "\"; pairgate-store-jdbc supports H2, SQLite, "
                + "PostgreSQL and MariaDB/MySQL (set Builder.dialect(...) if a proxy driver hides "
                + "the product name)"));
  }

  /** {@code FROM DUAL} where a table-less SELECT with a WHERE clause needs it. */
  String fromDual() {
    return this == MARIADB ? " FROM DUAL" : "";
  }
}
