package io.pairgate.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.store.jdbc.Migrator.Migration;
import io.pairgate.store.jdbc.TestDatabases.Namespace;
import io.pairgate.store.jdbc.TestDatabases.Server;
import io.pairgate.testkit.SampleRecords;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Several instances starting at the same moment on an empty database apply each schema version
 * exactly once. The test migrations append their version to a log table (a second run of a
 * script would show as a duplicate), and the first one sleeps while holding the lock so that the
 * other starters really wait for it.
 */
class MigratorConcurrencyTest {
  private static final int STARTERS = 3;
  private static final List<Migration> TEST_MIGRATIONS = List.of(
      new Migration(1, "log_table"), new Migration(2, "second"), new Migration(3, "third"));

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(Server.class)
  void threeStartersOnEmptyServerDatabase_applyEachVersionExactlyOnce(Server server)
      throws Exception {
    Namespace ns = Namespace.create(server);
    try {
      runTestMigrations(Dialect.valueOf(server == Server.POSTGRESQL ? "POSTGRESQL" : "MARIADB"),
          () -> ns.pool(2));
      Namespace real = Namespace.create(server);
      try {
        startStoresConcurrently(() -> real.pool(2));
      } finally {
        real.drop();
      }
    } finally {
      ns.drop();
    }
  }

  @Test
  void threeStartersOnEmptyH2File_applyEachVersionExactlyOnce() throws Exception {
    runTestMigrations(Dialect.H2, () -> TestDatabases.h2File(dir, "migrations"));
    startStoresConcurrently(() -> TestDatabases.h2File(dir, "schema"));
  }

  @Test
  void threeStartersOnEmptySqliteFile_applyEachVersionExactlyOnce() throws Exception {
    runTestMigrations(Dialect.SQLITE,
        () -> TestDatabases.sqliteFile(dir.resolve("migrations.db")));
    startStoresConcurrently(() -> TestDatabases.sqliteFile(dir.resolve("schema.db")));
  }

  /**
   * Issue 17 item 13: a migrator that meets SQLITE_BUSY for longer than its connection's busy
   * timeout (another process holds an exclusive lock on a fresh, rollback-journal database while
   * the migrator opens its WAL connection and starts) waits and retries inside the migrator
   * until the lock is released, instead of failing the start.
   */
  @Test
  void sqliteMigratorRetriesBusyBeyondTheBusyTimeout() throws Exception {
    Path file = dir.resolve("busy.db");
    java.util.Properties plain = new java.util.Properties();
    try (Connection holder = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file, plain);
        Statement s = holder.createStatement()) {
      s.execute("CREATE TABLE other (x INT)");
      s.execute("BEGIN EXCLUSIVE");
      s.execute("INSERT INTO other VALUES (1)");
      java.util.Properties p = new java.util.Properties();
      p.setProperty("journal_mode", "WAL");
      p.setProperty("busy_timeout", "200");
      UrlDataSource ds = new UrlDataSource("jdbc:sqlite:" + file.toAbsolutePath(), p);
      ExecutorService ex = Executors.newSingleThreadExecutor();
      try {
        Future<List<Integer>> f = ex.submit(() -> new Migrator(ds, Dialect.SQLITE,
            "migrator-test/" + Dialect.SQLITE.schemaLocation().substring("schema/".length()),
            TEST_MIGRATIONS, Clock.systemUTC(), Duration.ofMinutes(1), "busy").migrate());
        Thread.sleep(1_500); // well past the 200 ms busy timeout (and the old 5 s pragma wait)
        s.execute("COMMIT");
        assertEquals(List.of(1, 2, 3), f.get(60, TimeUnit.SECONDS));
      } finally {
        ex.shutdownNow();
        ds.close();
      }
    }
  }

  /** Three migrators with the test scripts, released together by a barrier. */
  private void runTestMigrations(Dialect dialect, Supplier<DataSource> dataSources)
      throws Exception {
    List<DataSource> sources = new ArrayList<>();
    for (int i = 0; i < STARTERS; i++) {
      sources.add(dataSources.get());
    }
    try {
      CyclicBarrier barrier = new CyclicBarrier(STARTERS);
      List<Callable<List<Integer>>> jobs = new ArrayList<>();
      for (int i = 0; i < STARTERS; i++) {
        DataSource ds = sources.get(i);
        int n = i;
        jobs.add(() -> {
          barrier.await();
          return new Migrator(ds, dialect, "migrator-test/" + dialect.schemaLocation()
              .substring("schema/".length()), TEST_MIGRATIONS, Clock.systemUTC(),
              Duration.ofMinutes(1), "starter-" + n).migrate();
        });
      }
      List<List<Integer>> applied = runAll(jobs);
      List<Integer> all = new ArrayList<>();
      applied.forEach(all::addAll);
      all.sort(null);
      assertEquals(List.of(1, 2, 3), all,
          "each version applied by exactly one starter; per starter: " + applied);
      try (Connection c = sources.get(0).getConnection()) {
        assertEquals(Map.of(1, 1L, 2, 1L, 3, 1L),
            countBy(c, "SELECT version, COUNT(*) FROM mig_log GROUP BY version"),
            "each script ran exactly once");
        assertEquals(Map.of(1, 1L, 2, 1L, 3, 1L), countBy(c, "SELECT version, COUNT(*) FROM "
            + Migrator.HISTORY_TABLE + " GROUP BY version"));
      }
    } finally {
      sources.forEach(MigratorConcurrencyTest::close);
    }
  }

  /** Three stores built at once on an empty database: all start, version 1 recorded once. */
  private void startStoresConcurrently(Supplier<DataSource> dataSources) throws Exception {
    List<DataSource> sources = new ArrayList<>();
    for (int i = 0; i < STARTERS; i++) {
      sources.add(dataSources.get());
    }
    List<JdbcPairingStore> stores = new ArrayList<>();
    try {
      CyclicBarrier barrier = new CyclicBarrier(STARTERS);
      List<Callable<JdbcPairingStore>> jobs = new ArrayList<>();
      for (DataSource ds : sources) {
        jobs.add(() -> {
          barrier.await();
          return JdbcPairingStore.builder(ds).touchFlushInterval(Duration.ZERO).open();
        });
      }
      stores.addAll(runAll(jobs));
      try (Connection c = sources.get(0).getConnection()) {
        Map<Integer, Long> expected = new TreeMap<>();
        for (Migration m : Migrator.MIGRATIONS) {
          expected.put(m.version(), 1L);
        }
        assertEquals(expected, countBy(c, "SELECT version, COUNT(*) FROM "
            + Migrator.HISTORY_TABLE + " GROUP BY version"));
      }
      DeviceRecord r = SampleRecords.full(SampleRecords.keyPair("migrated"), 1, "m", false);
      assertTrue(stores.get(0).compareAndSet(0, r));
      for (JdbcPairingStore s : stores) {
        assertEquals(Optional.of(r), s.load(r.deviceId()));
      }
    } finally {
      stores.forEach(JdbcPairingStore::close);
      sources.forEach(MigratorConcurrencyTest::close);
    }
  }

  private static <T> List<T> runAll(List<Callable<T>> jobs) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(jobs.size());
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> j : jobs) {
        futures.add(pool.submit(j));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        out.add(f.get(2, TimeUnit.MINUTES)); // safety net against a hang, not a time bound
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static Map<Integer, Long> countBy(Connection c, String sql) throws SQLException {
    Map<Integer, Long> out = new TreeMap<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.put(rs.getInt(1), rs.getLong(2));
      }
    }
    return out;
  }

  private static void close(DataSource ds) {
    if (ds instanceof HikariDataSource h) {
      h.close();
    } else if (ds instanceof UrlDataSource u) {
      u.close();
    }
  }
}
