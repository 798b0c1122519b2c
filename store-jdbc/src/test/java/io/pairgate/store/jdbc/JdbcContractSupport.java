package io.pairgate.store.jdbc;

import io.pairgate.spi.PairingStore;
import io.pairgate.testkit.PairingStoreContract;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Runs the testkit's {@link PairingStoreContract} against one dialect.
 *
 * <p>Each test class works in one database of its own (a file, a PostgreSQL schema or a MariaDB
 * database), created on first use and dropped after the class. Every {@link #newStore()} empties
 * its tables first, so each store starts empty and shares nothing with the stores before it
 * (which the contract has closed by then); creating a schema per store would make the model-based
 * sequences several times slower without testing anything more. {@link #reopen} closes the store
 * and its connections and opens the database again; {@link #secondHandle} opens a second,
 * independent store object (own connections, own touch buffer) on the same database, as a second
 * gateway instance would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JdbcContractSupport implements PairingStoreContract {
  private Object storage;

  /** A new, empty database for this test class. */
  abstract Object createStorage();

  /** Drops what {@link #createStorage()} made. */
  void dropStorage(Object storage) {}

  /** A new data source on {@code storage}. */
  abstract DataSource open(Object storage);

  /** Releases a data source made by {@link #open}. */
  abstract void closeDataSource(DataSource ds);

  @AfterAll
  void dropStorage() {
    if (storage != null) {
      dropStorage(storage);
    }
  }

  private StoreHandle handle(Object storage, boolean empty) {
    DataSource ds = open(storage);
    try {
      JdbcPairingStore store = JdbcPairingStore.builder(ds).open();
      if (empty) {
        emptyTables(ds);
      }
      return new StoreHandle(store, storage, () -> closeDataSource(ds));
    } catch (RuntimeException e) {
      closeDataSource(ds);
      throw e;
    }
  }

  @Override
  public PairingStore newStore() {
    if (storage == null) {
      storage = createStorage();
    }
    return handle(storage, true);
  }

  @Override
  public boolean supportsReopen() {
    return true;
  }

  @Override
  public PairingStore reopen(PairingStore old) {
    old.close();
    return handle(((StoreHandle) old).storage, false);
  }

  @Override
  public boolean supportsSecondHandle() {
    return true;
  }

  @Override
  public PairingStore secondHandle(PairingStore first) {
    return handle(((StoreHandle) first).storage, false);
  }

  static void emptyTables(DataSource ds) {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("DELETE FROM pairgate_touch");
      s.execute("DELETE FROM pairgate_request");
      s.execute("DELETE FROM pairgate_device");
    } catch (SQLException e) {
      throw new IllegalStateException("could not empty the contract test's tables", e);
    }
  }
}
