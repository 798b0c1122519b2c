package io.pairgate.bench;

import io.pairgate.InMemoryPairingStore;
import io.pairgate.PairingService;
import io.pairgate.spi.PairingStore;
import io.pairgate.store.jdbc.JdbcPairingStore;
import io.pairgate.store.json.JsonPairingStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;

/**
 * Opens the stores the benchmarks compare, by name:
 *
 * <ul>
 *   <li>{@code memory}: {@link InMemoryPairingStore};
 *   <li>{@code json-100}: store-json in a fresh directory with 100 devices paired through the API;
 *   <li>{@code json-100000}: store-json on a clone of the cached 100 000-device directory
 *       ({@link JsonFixture});
 *   <li>{@code h2}: store-jdbc on an H2 file database (durable commits, the default: a
 *       {@code CHECKPOINT SYNC} after each write), 100 devices;
 *   <li>{@code postgres}: store-jdbc on PostgreSQL ({@link BenchDirs#postgresUrl()}), in fresh
 *       tables, 100 devices.
 * </ul>
 */
public final class Stores {
  private Stores() {}

  /** An open store plus whatever must be cleaned up with it. */
  public interface Opened extends AutoCloseable {
    /** The store. */
    PairingStore store();

    /** Whether every committed change is written to disk (each write costs an fsync or more). */
    default boolean durable() {
      return true;
    }

    @Override
    void close() throws Exception;
  }

  /**
   * Opens the store called {@code name}.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static Opened open(String name) throws Exception {
    switch (name) {
      case "memory": {
        InMemoryPairingStore s = new InMemoryPairingStore();
        return opened(s, false, () -> {});
      }
      case "json-100": {
        Path dir = BenchDirs.fresh("store-json-100");
        JsonPairingStore s = JsonPairingStore.open(dir);
        prefill(s, 100);
        return opened(s, true, () -> BenchDirs.delete(dir));
      }
      case "json-100000": {
        JsonFixture.Copy copy = JsonFixture.workingCopy(100_000);
        JsonPairingStore s = JsonPairingStore.open(copy.dir());
        return opened(s, true, () -> {
          if (copy.owned()) {
            BenchDirs.delete(copy.dir());
          }
        });
      }
      case "h2": {
        Path dir = BenchDirs.fresh("store-h2");
        PooledDataSource ds =
            new PooledDataSource("jdbc:h2:file:" + dir.resolve("pairing"), "sa", "");
        JdbcPairingStore s = JdbcPairingStore.builder(ds).open();
        prefill(s, 100);
        return opened(s, true, () -> {
          ds.close();
          BenchDirs.delete(dir);
        });
      }
      case "postgres": {
        PooledDataSource ds = new PooledDataSource(BenchDirs.postgresUrl(), null, null);
        dropPairgateTables(ds);
        JdbcPairingStore s = JdbcPairingStore.builder(ds).open();
        prefill(s, 100);
        return opened(s, true, () -> {
          dropPairgateTables(ds);
          ds.close();
        });
      }
      default:
        throw new IllegalArgumentException("unknown store " + name);
    }
  }

  /** Pairs {@code n} devices through the API (numbers from 10 000 000 up). */
  static void prefill(PairingStore store, int n) {
    PairingService service = PairingService.builder(store).build();
    Fleet.pairMany(service, 10_000_000, n, Clock.systemUTC(), false, false);
  }

  /** Drops the store's tables so that every run starts from an empty schema. */
  static void dropPairgateTables(PooledDataSource ds) throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      java.util.List<String> tables = new java.util.ArrayList<>();
      try (java.sql.ResultSet rs =
          c.getMetaData().getTables(null, BenchDirs.PG_SCHEMA, "pairgate%", new String[] {"TABLE"})) {
        while (rs.next()) {
          tables.add(rs.getString("TABLE_NAME"));
        }
      }
      for (String t : tables) {
        if (!t.equals("pairgate_bench_limit")) {
          s.execute("DROP TABLE IF EXISTS " + BenchDirs.PG_SCHEMA + ".\"" + t + "\" CASCADE");
        }
      }
    }
  }

  /** Cleanup that may throw. */
  interface Cleanup {
    void run() throws Exception;
  }

  private static Opened opened(PairingStore s, boolean durable, Cleanup cleanup) {
    return new Opened() {
      @Override
      public PairingStore store() {
        return s;
      }

      @Override
      public boolean durable() {
        return durable;
      }

      @Override
      public void close() throws Exception {
        try {
          s.close();
        } finally {
          cleanup.run();
        }
      }
    };
  }
}
