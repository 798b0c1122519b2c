package io.pairgate.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on H2 file databases (durable commits: CHECKPOINT SYNC after each write). */
class H2ContractTest extends JdbcContractSupport {
  @TempDir Path dir;
  private final AtomicInteger n = new AtomicInteger();

  @Override
  Object newStorage() {
    return "db" + n.incrementAndGet();
  }

  @Override
  DataSource open(Object storage) {
    return TestDatabases.h2File(dir, (String) storage);
  }

  @Override
  void closeDataSource(DataSource ds) {
    ((HikariDataSource) ds).close();
  }
}
