/**
 * A {@link io.pairgate.spi.PairingStore} in a directory of JSON files, and the OpenClaw state
 * import and export. Jackson reads and writes trees only, so no package is open to it.
 */
module io.pairgate.store.json {
  requires transitive io.pairgate.core;
  requires tools.jackson.core;
  requires tools.jackson.databind;
  requires com.github.benmanes.caffeine;
  requires org.slf4j;
  // the store directory's owner check: the current user's uid
  requires jdk.security.auth;

  exports io.pairgate.store.json;
}
