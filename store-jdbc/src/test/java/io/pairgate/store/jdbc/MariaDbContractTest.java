package io.pairgate.store.jdbc;

import io.pairgate.store.jdbc.TestDatabases.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on MariaDB, one {@code pairgate_<random>} database per store. */
class MariaDbContractTest extends ServerContractSupport {
  @BeforeAll
  static void serverAvailable() {
    TestDatabases.requireServer(Server.MARIADB);
  }

  @AfterAll
  static void dropDatabases() {
    dropAll(Server.MARIADB);
  }

  @Override
  Server server() {
    return Server.MARIADB;
  }
}
