package io.pairgate.store.jdbc;

import io.pairgate.store.jdbc.TestDatabases.Server;

/** The store contract on PostgreSQL, in a {@code pairgate_<random>} schema. */
class PostgresContractTest extends ServerContractSupport {
  @Override
  Server server() {
    return Server.POSTGRESQL;
  }
}
