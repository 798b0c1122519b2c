/**
 * A consumer of every published Pairgate module on the module path, with no {@code --add-opens}
 * or {@code --add-exports}: its test runs the libraries as an embedder would.
 */
module io.pairgate.modulecheck {
  requires io.pairgate.core;
  requires io.pairgate.testkit;
  requires io.pairgate.store.json;
  requires io.pairgate.store.jdbc;
  requires io.pairgate.gateway;
  requires java.net.http;

  exports io.pairgate.modulecheck;
}
