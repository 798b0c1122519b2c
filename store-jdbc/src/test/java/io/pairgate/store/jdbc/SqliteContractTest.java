package io.pairgate.store.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;

/**
 * The store contract on an SQLite file through the data source of {@link JdbcPairingStore#sqlite}
 * (WAL, synchronous=FULL, a few reused connections).
 */
class SqliteContractTest extends JdbcContractSupport {

  @Override
  Object createStorage() {
    try {
      return Files.createTempDirectory("pairgate-sqlite-contract").resolve("contract.db");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  void dropStorage(Object storage) {
    TestDatabases.deleteTree(((Path) storage).getParent());
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
