/**
 * Pairgate core: the device model, the scope implication relation, connect proofs and the
 * {@link io.pairgate.PairingService} that decides who may connect. Everything a gateway, a store
 * or a client needs is exported; {@code io.pairgate.internal} (the engine) is not, and
 * {@code io.pairgate.internal.json} (the record codec) only to Pairgate's own stores and testkit, so
 * only the publicly exported types are API. No package is open: no consumer needs reflective access.
 */
module io.pairgate.core {
  requires transitive org.jspecify;
  requires org.bouncycastle.provider;
  requires com.github.benmanes.caffeine;
  requires org.slf4j;
  // the client's key files: the current user's uid, to refuse a file another user owns
  requires jdk.security.auth;

  exports io.pairgate;
  exports io.pairgate.audit;
  exports io.pairgate.client;
  exports io.pairgate.policy;
  exports io.pairgate.spi;
  // the one JSON reader and record codec: for Pairgate's own stores and testkit only, not an API
  exports io.pairgate.internal.json to
      io.pairgate.store.json, io.pairgate.store.jdbc, io.pairgate.testkit;
}
