package io.pairgate.store.jdbc;

import io.pairgate.store.jdbc.TestDatabases.Server;

/**
 * The store contract on MariaDB, in a {@code pairgate_<random>} database. Runs 25 model-based
 * sequences instead of the contract's 40 to keep the module's build short; the SQL under test is
 * the one PostgreSQL runs 40 sequences of, and {@code -Dpairgate.cases=N} runs more.
 */
class MariaDbContractTest extends ServerContractSupport {
  @Override
  public int modelBasedCases() {
    return 25;
  }

  @Override
  Server server() {
    return Server.MARIADB;
  }
}
