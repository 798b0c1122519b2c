package io.pairgate.store.json;

import io.pairgate.spi.PairingStore;
import io.pairgate.testkit.PairingStoreContract;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON store passes the testkit's store contract, including reopen (a restarted process),
 * second handles on one directory (another process), concurrent writers and the model-based
 * sequences (whose restarts reopen the store).
 */
class JsonPairingStoreContractTest implements PairingStoreContract {
  @TempDir Path tmp;
  private final AtomicInteger stores = new AtomicInteger();

  @Override
  public PairingStore newStore() {
    return JsonPairingStore.open(tmp.resolve("store-" + stores.incrementAndGet()));
  }

  @Override
  public boolean supportsReopen() {
    return true;
  }

  @Override
  public PairingStore reopen(PairingStore old) {
    Path dir = ((JsonPairingStore) old).directory();
    old.close();
    return JsonPairingStore.open(dir);
  }

  @Override
  public boolean supportsSecondHandle() {
    return true;
  }

  @Override
  public PairingStore secondHandle(PairingStore first) {
    return JsonPairingStore.open(((JsonPairingStore) first).directory());
  }
}
