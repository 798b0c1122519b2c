package io.pairgate.store.jdbc;

import static org.junit.jupiter.api.Assertions.fail;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;

/**
 * Test databases: embedded ones in a temporary directory, and isolated schemas (PostgreSQL) or
 * databases (MariaDB) on the servers named by {@code PAIRGATE_PG_URL} and
 * {@code PAIRGATE_MARIADB_URL}. An unreachable server skips the test with a message saying how to
 * enable it, except under {@code CI=true}, where it fails the test.
 */
final class TestDatabases {
  static final String PG_ENV = "PAIRGATE_PG_URL";
  static final String MARIADB_ENV = "PAIRGATE_MARIADB_URL";
  static final String PG_DEFAULT = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
  static final String MARIADB_DEFAULT = "jdbc:mariadb://127.0.0.1:3306/test?user=root&password=";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ConcurrentHashMap<String, String> UNREACHABLE = new ConcurrentHashMap<>();

  private TestDatabases() {}

  /** The server kinds tests can run against. */
  enum Server {
    POSTGRESQL("PostgreSQL", PG_ENV, PG_DEFAULT),
    MARIADB("MariaDB", MARIADB_ENV, MARIADB_DEFAULT);

    final String label;
    final String env;
    final String defaultUrl;

    Server(String label, String env, String defaultUrl) {
      this.label = label;
      this.env = env;
      this.defaultUrl = defaultUrl;
    }

    String adminUrl() {
      String v = System.getenv(env);
      return v == null || v.isBlank() ? defaultUrl : v;
    }
  }

  static boolean onCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /**
   * Skips the calling test (or fails it on CI) unless {@code server} accepts connections. The
   * probe result is remembered for the JVM.
   */
  static void requireServer(Server server) {
    String why = UNREACHABLE.computeIfAbsent(server.name(), k -> probe(server));
    if (why.isEmpty()) {
      return;
    }
    String message = server.label + " is not reachable at " + redact(server.adminUrl()) + " ("
        + why + "). Start one (see docs/store-jdbc.md) or set " + server.env
        + " to a JDBC URL of a database where the tests may create and drop "
        + (server == Server.POSTGRESQL ? "schemas" : "databases") + ".";
    if (onCi()) {
      fail("CI=true, so " + server.label + " tests must not be skipped: " + message);
    }
    Assumptions.abort(message);
  }

  private static String probe(Server server) {
    DriverManager.setLoginTimeout(5);
    try (Connection c = DriverManager.getConnection(server.adminUrl())) {
      return c.isValid(5) ? "" : "connection not valid";
    } catch (SQLException e) {
      return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
  }

  private static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }

  static String randomSuffix() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** Runs DDL on the server's admin URL. */
  static void adminExecute(Server server, String sql) {
    try (Connection c = DriverManager.getConnection(server.adminUrl());
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("admin statement failed: " + sql, e);
    }
  }

  /** A connection on the server's admin URL (the caller closes it). */
  static Connection adminConnection(Server server) throws SQLException {
    return DriverManager.getConnection(server.adminUrl());
  }

  /**
   * An isolated namespace on a server: a PostgreSQL schema or a MariaDB database named
   * {@code pairgate_<random>}, dropped by {@link #drop()}.
   */
  static final class Namespace {
    final Server server;
    final String name;
    private final List<HikariDataSource> pools = new ArrayList<>();

    private Namespace(Server server, String name) {
      this.server = server;
      this.name = name;
    }

    static Namespace create(Server server) {
      requireServer(server);
      // PostgreSQL reserves the "pg_" prefix for system schemas, so both use "pairgate_".
      String name = "pairgate_" + randomSuffix();
      adminExecute(server, server == Server.POSTGRESQL
          ? "CREATE SCHEMA " + name
          : "CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
      return new Namespace(server, name);
    }

    /** A JDBC URL whose connections work inside this namespace. */
    String url() {
      String admin = server.adminUrl();
      if (server == Server.POSTGRESQL) {
        return admin + (admin.contains("?") ? "&" : "?") + "currentSchema=" + name;
      }
      // jdbc:mariadb://host:port/db?params -> replace db
      int hostStart = admin.indexOf("//") + 2;
      int pathStart = admin.indexOf('/', hostStart);
      int query = admin.indexOf('?', hostStart);
      String hostPart = admin.substring(0, pathStart < 0 ? (query < 0 ? admin.length() : query)
          : pathStart);
      String params = query < 0 ? "" : admin.substring(query);
      return hostPart + "/" + name + params;
    }

    /** A new HikariCP pool on this namespace, closed by {@link #drop()} at the latest. */
    HikariDataSource pool(int maxSize) {
      return pool(maxSize, false);
    }

    /**
     * A pool as {@link #pool(int)}; with {@code readCommitted} the pool itself sets READ COMMITTED
     * on MariaDB (the set-up docs/store-jdbc.md recommends), else the store does it per write.
     */
    HikariDataSource pool(int maxSize, boolean readCommitted) {
      HikariConfig hc = new HikariConfig();
      hc.setJdbcUrl(url());
      hc.setMaximumPoolSize(maxSize);
      hc.setMinimumIdle(0);
      hc.setConnectionTimeout(15_000);
      hc.setPoolName("pairgate-test-" + name + "-" + pools.size());
      if (server == Server.MARIADB && readCommitted) {
        hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
      }
      HikariDataSource ds = new HikariDataSource(hc);
      synchronized (pools) {
        pools.add(ds);
      }
      return ds;
    }

    /** Closes every pool made here and drops the namespace. */
    void drop() {
      synchronized (pools) {
        pools.forEach(HikariDataSource::close);
        pools.clear();
      }
      adminExecute(server, server == Server.POSTGRESQL
          ? "DROP SCHEMA IF EXISTS " + name + " CASCADE"
          : "DROP DATABASE IF EXISTS " + name);
    }
  }

  /** Deletes a directory tree made by a test (best effort). */
  static void deleteTree(Path root) {
    try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(root)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A HikariCP pool on an H2 file database {@code dir/name} (closing the pool closes the file). */
  static HikariDataSource h2File(Path dir, String name) {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl("jdbc:h2:file:" + dir.resolve(name).toAbsolutePath() + ";LOCK_TIMEOUT=10000");
    hc.setMaximumPoolSize(6);
    hc.setMinimumIdle(0);
    hc.setPoolName("pairgate-test-h2-" + name);
    return new HikariDataSource(hc);
  }

  /** The SQLite data source {@link JdbcPairingStore#sqlite} uses (close it when done). */
  static UrlDataSource sqliteFile(Path file) {
    Properties p = new Properties();
    p.setProperty("journal_mode", "WAL");
    p.setProperty("synchronous", "FULL");
    p.setProperty("busy_timeout", "5000");
    return new UrlDataSource("jdbc:sqlite:" + file.toAbsolutePath(), p);
  }
}
