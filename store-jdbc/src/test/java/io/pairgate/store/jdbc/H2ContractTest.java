package io.pairgate.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;

/**
 * The store contract on an H2 file database, with the default durable commits ({@code CHECKPOINT
 * SYNC} after each write). Runs 15 model-based sequences instead of the contract's 40: every write
 * costs an fsync-bound checkpoint here, and the SQL under test is the same as on the other
 * dialects ({@code -Dpairgate.cases=N} runs more).
 */
class H2ContractTest extends JdbcContractSupport {

  @Override
  public int modelBasedCases() {
    return 15;
  }

  @Override
  Object createStorage() {
    try {
      return Files.createTempDirectory("pairgate-h2-contract");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  void dropStorage(Object storage) {
    TestDatabases.deleteTree((Path) storage);
  }

  @Override
  DataSource open(Object storage) {
    return TestDatabases.h2File((Path) storage, "contract");
  }

  @Override
  void closeDataSource(DataSource ds) {
    ((HikariDataSource) ds).close();
  }
}
