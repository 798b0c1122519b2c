/**
 * Pairgate's testkit: the store contract, the scenario runner with its bundled vectors, the
 * property runner, the reference model and the OpenClaw helpers. Its JUnit dependency is the
 * stable {@code org.junit.jupiter.api}.
 */
module io.pairgate.testkit {
  requires transitive io.pairgate.core;
  requires transitive org.junit.jupiter.api;

  exports io.pairgate.testkit;
  exports io.pairgate.testkit.openclaw;
}
