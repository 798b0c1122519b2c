package io.pairgate.store.jdbc;

import io.pairgate.spi.PairingStore;
import io.pairgate.testkit.PairingStoreContract;
import javax.sql.DataSource;

/**
 * Runs the testkit's {@link PairingStoreContract} against one dialect: every {@link #newStore()}
 * is a fresh database (file, schema or database), {@link #reopen} closes the store and its
 * connections and opens the same database again, and {@link #secondHandle} opens a second,
 * independent store object (own connections, own touch buffer) on the same database, as a second
 * gateway instance would.
 */
abstract class JdbcContractSupport implements PairingStoreContract {

  /** A new, empty database, identified by the returned object. */
  abstract Object newStorage();

  /** A new data source on {@code storage}. */
  abstract DataSource open(Object storage);

  /** Releases a data source made by {@link #open}. */
  abstract void closeDataSource(DataSource ds);

  JdbcPairingStore.Builder configure(JdbcPairingStore.Builder b) {
    return b;
  }

  private StoreHandle handle(Object storage) {
    DataSource ds = open(storage);
    try {
      JdbcPairingStore store = configure(JdbcPairingStore.builder(ds)).build();
      return new StoreHandle(store, storage, () -> closeDataSource(ds));
    } catch (RuntimeException e) {
      closeDataSource(ds);
      throw e;
    }
  }

  @Override
  public PairingStore newStore() {
    return handle(newStorage());
  }

  @Override
  public boolean supportsReopen() {
    return true;
  }

  @Override
  public PairingStore reopen(PairingStore old) {
    old.close();
    return handle(((StoreHandle) old).storage);
  }

  @Override
  public boolean supportsSecondHandle() {
    return true;
  }

  @Override
  public PairingStore secondHandle(PairingStore first) {
    return handle(((StoreHandle) first).storage);
  }
}
