package io.pairgate.store.jdbc;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store contract on SQLite files through the data source of {@link JdbcPairingStore#sqlite}
 * (WAL, synchronous=FULL, a few reused connections).
 */
class SqliteContractTest extends JdbcContractSupport {
  @TempDir Path dir;
  private final AtomicInteger n = new AtomicInteger();

  @Override
  Object newStorage() {
    return dir.resolve("pairing-" + n.incrementAndGet() + ".db");
  }

  @Override
  DataSource open(Object storage) {
    return TestDatabases.sqliteFile((Path) storage);
  }

  @Override
  void closeDataSource(DataSource ds) {
    ((UrlDataSource) ds).close();
  }
}
