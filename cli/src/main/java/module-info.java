/**
 * The {@code pairgate} command-line tool. Its package is open to picocli only, which sets the
 * commands' options reflectively; nothing is exported.
 */
module io.pairgate.cli {
  requires io.pairgate.core;
  requires io.pairgate.store.json;
  requires io.pairgate.store.jdbc;
  requires io.pairgate.testkit;
  requires io.pairgate.gateway;
  requires info.picocli;
  requires tools.jackson.core;
  requires tools.jackson.databind;
  requires org.xerial.sqlitejdbc;
  requires java.sql;

  opens io.pairgate.cli to info.picocli;
}
