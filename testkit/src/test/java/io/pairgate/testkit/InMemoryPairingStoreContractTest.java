package io.pairgate.testkit;

import io.pairgate.InMemoryPairingStore;
import io.pairgate.spi.PairingStore;

/** Core's in-memory store passes the store contract (it has no reopen and no second handle). */
class InMemoryPairingStoreContractTest implements PairingStoreContract {
  @Override
  public PairingStore newStore() {
    return new InMemoryPairingStore();
  }
}
