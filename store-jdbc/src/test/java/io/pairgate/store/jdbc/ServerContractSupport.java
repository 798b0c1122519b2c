package io.pairgate.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.pairgate.store.jdbc.TestDatabases.Namespace;
import io.pairgate.store.jdbc.TestDatabases.Server;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;

/** The contract on a server: each new store gets its own schema/database, dropped afterwards. */
abstract class ServerContractSupport extends JdbcContractSupport {
  /** Namespaces created by this class's tests; dropped in the subclass's {@code @AfterAll}. */
  static final List<Namespace> CREATED = new CopyOnWriteArrayList<>();

  abstract Server server();

  @Override
  Object newStorage() {
    Namespace ns = Namespace.create(server());
    CREATED.add(ns);
    return ns;
  }

  @Override
  DataSource open(Object storage) {
    return ((Namespace) storage).pool(6);
  }

  @Override
  void closeDataSource(DataSource ds) {
    ((HikariDataSource) ds).close();
  }

  static void dropAll(Server server) {
    for (Namespace ns : CREATED) {
      if (ns.server == server) {
        ns.drop();
        CREATED.remove(ns);
      }
    }
  }
}
