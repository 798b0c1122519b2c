package io.pairgate.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where benchmarks put files: {@code $PAIRGATE_BENCH_DIR}, else {@code <java.io.tmpdir>/pairgate-bench}.
 * Durable-write limits and file stores use the same directory, hence the same disk.
 */
public final class BenchDirs {
  private BenchDirs() {}

  /** The base directory (created if missing). */
  public static Path base() {
    String env = System.getenv("PAIRGATE_BENCH_DIR");
    Path p = env != null && !env.isBlank()
        ? Path.of(env)
        : Path.of(System.getProperty("java.io.tmpdir"), "pairgate-bench");
    try {
      return Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An empty directory {@code name} under {@link #base()} (deleted first if it exists). */
  public static Path fresh(String name) {
    Path dir = base().resolve(name);
    delete(dir);
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes {@code dir} recursively, if it exists. */
  public static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The PostgreSQL schema every benchmark table lives in (so no one else's tables are touched). */
  public static final String PG_SCHEMA = "pairgate_bench";

  /**
   * The PostgreSQL JDBC URL, {@code $PAIRGATE_BENCH_PG_URL} or the local {@code test} database,
   * with {@code currentSchema} set to {@link #PG_SCHEMA}, which is created if missing.
   */
  public static String postgresUrl() {
    String env = System.getenv("PAIRGATE_BENCH_PG_URL");
    String admin = env != null && !env.isBlank()
        ? env
        : "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(admin);
        java.sql.Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS " + PG_SCHEMA);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("PostgreSQL at " + admin + " is not usable: " + e, e);
    }
    return admin + (admin.contains("?") ? "&" : "?") + "currentSchema=" + PG_SCHEMA;
  }
}
