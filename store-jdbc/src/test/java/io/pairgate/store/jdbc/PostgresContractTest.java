package io.pairgate.store.jdbc;

import io.pairgate.store.jdbc.TestDatabases.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract on PostgreSQL, one {@code pairgate_<random>} schema per store. */
class PostgresContractTest extends ServerContractSupport {
  @BeforeAll
  static void serverAvailable() {
    TestDatabases.requireServer(Server.POSTGRESQL);
  }

  @AfterAll
  static void dropSchemas() {
    dropAll(Server.POSTGRESQL);
  }

  @Override
  Server server() {
    return Server.POSTGRESQL;
  }
}
