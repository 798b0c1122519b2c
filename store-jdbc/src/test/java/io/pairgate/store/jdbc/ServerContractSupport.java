package io.pairgate.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.pairgate.store.jdbc.TestDatabases.Namespace;
import io.pairgate.store.jdbc.TestDatabases.Server;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;

/** The contract on a server, in a {@code pairgate_<random>} schema/database for the class. */
abstract class ServerContractSupport extends JdbcContractSupport {
  abstract Server server();

  @BeforeAll
  void serverAvailable() {
    TestDatabases.requireServer(server());
  }

  @Override
  Object createStorage() {
    return Namespace.create(server());
  }

  @Override
  void dropStorage(Object storage) {
    ((Namespace) storage).drop();
  }

  @Override
  DataSource open(Object storage) {
    return ((Namespace) storage).pool(6);
  }

  @Override
  void closeDataSource(DataSource ds) {
    ((HikariDataSource) ds).close();
  }
}
