package io.pairgate.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import io.pairgate.store.jdbc.TestDatabases.Namespace;
import io.pairgate.store.jdbc.TestDatabases.Server;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The embedded-database behaviour checks of {@link EmbeddedStoreTest} that depend on the dialect,
 * on PostgreSQL and MariaDB: no write on the connect path, unreadable rows, typed fatal errors.
 * Each test runs in a fresh {@code pairgate_<random>} schema/database.
 */
class ServerStoreTest {

  @ParameterizedTest
  @EnumSource(Server.class)
  void dialect_isDetectedFromMetadata(Server server) {
    Namespace ns = Namespace.create(server);
    try (HikariDataSource ds = ns.pool(2);
        JdbcPairingStore store =
            JdbcPairingStore.builder(ds).touchFlushInterval(Duration.ZERO).open()) {
      assertEquals(server == Server.POSTGRESQL ? Dialect.POSTGRESQL : Dialect.MARIADB,
          store.dialect());
    } finally {
      ns.drop();
    }
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void connectOfUnchangedPairedDevice_writesNothing(Server server) {
    Namespace ns = Namespace.create(server);
    try (HikariDataSource ds = ns.pool(2)) {
      EmbeddedStoreTest.checkConnectWritesNothing(ds);
    } finally {
      ns.drop();
    }
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void unreadableRow_isStoreCorruptException_namingTableAndDevice(Server server)
      throws Exception {
    Namespace ns = Namespace.create(server);
    try (HikariDataSource ds = ns.pool(2)) {
      EmbeddedStoreTest.checkUnreadableRow(ds);
    } finally {
      ns.drop();
    }
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void sqlErrorsOtherThanConflicts_areTypedNonRetryable_withSqlState(Server server)
      throws Exception {
    Namespace ns = Namespace.create(server);
    try (HikariDataSource ds = ns.pool(2)) {
      EmbeddedStoreTest.checkFatalErrorTyped(ds);
    } finally {
      ns.drop();
    }
  }
}
