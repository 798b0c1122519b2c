package io.pairgate.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.pairgate.Approval;
import io.pairgate.Approver;
import io.pairgate.ConnectResult;
import io.pairgate.DeviceKeyPair;
import io.pairgate.PairingService;
import io.pairgate.Role;
import io.pairgate.StoreException;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.RandomSource;
import io.pairgate.store.jdbc.TestDatabases.Namespace;
import io.pairgate.store.jdbc.TestDatabases.Server;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The database connection is dropped in the middle of a compare-and-set transaction: after the
 * device row was updated, while the transaction's last statement (clearing the device's
 * access-time rows) waits for a row lock held by another connection, the server kills the backend ({@code pg_terminate_backend} on PostgreSQL,
 * {@code KILL} on MariaDB). The operation must fail with a retryable {@link StoreException}
 * naming the SQL state, nothing may be half-applied, and the next operation must succeed.
 */
class ConnectionLossTest {
  /** How long to wait for the victim statement to show up as blocked: a safety net only. */
  private static final long SAFETY_NET_SECONDS = 60;

  @ParameterizedTest
  @EnumSource(Server.class)
  void connectionKilledMidTransaction_failsRetryable_nothingHalfApplied_nextSucceeds(
      Server server) throws Exception {
    Namespace ns = Namespace.create(server);
    ExecutorService exec = Executors.newSingleThreadExecutor();
    try (HikariDataSource pool = ns.pool(3)) {
      JdbcPairingStore store = JdbcPairingStore.builder(pool)
          .touchFlushInterval(Duration.ZERO).open();
      PairingService service = PairingService.builder(store).build();
      DeviceKeyPair k = DeviceKeyPair.generate(RandomSource.secure());
      String id = k.deviceId().value();
      List<String> scopes = List.of("operator.read");
      ConnectResult.PairingRequired pr = assertInstanceOf(ConnectResult.PairingRequired.class,
          Devices.connect(service, k, Role.OPERATOR, scopes));
      // an access-time row for the blocker to lock (the compare-and-set deletes it)
      store.touch(k.deviceId(), Role.OPERATOR, java.time.Instant.now());
      store.flushTouches();
      DeviceRecord before = store.load(k.deviceId()).orElseThrow();
      List<String> indexBefore = requestIndex(ns, id);
      assertEquals(List.of(pr.requestId().value()), indexBefore);

      try (Connection blocker = DriverManager.getConnection(ns.url())) {
        blocker.setAutoCommit(false);
        try (Statement s = blocker.createStatement()) {
          try (ResultSet locked = s.executeQuery("SELECT role_name FROM pairgate_touch"
              + " WHERE device_id = '" + id + "' FOR UPDATE")) {
            assertTrue(locked.next(), "the access-time row to lock exists");
          }
        }
        Future<Approval> approve =
            exec.submit(() -> service.approve(pr.requestId(), Approver.admin("fault-test")));
        String victim = awaitBlockedStatement(server, ns);
        kill(server, victim);
        ExecutionException failed = assertThrows(ExecutionException.class,
            () -> approve.get(SAFETY_NET_SECONDS, TimeUnit.SECONDS));
        StoreException e = assertInstanceOf(StoreException.class, failed.getCause(),
            "the failure is a typed StoreException");
        assertTrue(e.retryable(), "a dropped connection is retryable: " + e.getMessage());
        assertTrue(e.getMessage().contains("SQLState"), e.getMessage());
        blocker.rollback();
      }

      // Nothing half-applied: the device row (version, pending request), its request index and its
      // access-time row are as before.
      assertEquals(before, store.load(k.deviceId()).orElseThrow());
      assertEquals(indexBefore, requestIndex(ns, id));
      assertEquals(before, store.findByRequestId(pr.requestId()).orElseThrow());
      assertEquals(1, countTouchRows(ns, id));

      // The next operation succeeds (the pool replaces the dead connection).
      Approval approval = service.approve(pr.requestId(), Approver.admin("fault-test"));
      assertFalse(approval.alreadyApproved());
      ConnectResult.Allowed allowed = assertInstanceOf(ConnectResult.Allowed.class,
          Devices.connect(service, k, Role.OPERATOR, scopes));
      assertTrue(approval.device().token(Role.OPERATOR).awaitingIssue());
      assertTrue(allowed.token().matches(allowed.secret().orElseThrow().value()),
          "the first connect after the approval mints and delivers the secret");
      assertEquals(before.version() + 2, store.load(k.deviceId()).orElseThrow().version(),
          "the approval, then the minting connect");
      store.close();
    } finally {
      exec.shutdownNow();
      ns.drop();
    }
  }

  private static int countTouchRows(Namespace ns, String deviceId) throws SQLException {
    try (Connection c = DriverManager.getConnection(ns.url());
        PreparedStatement ps =
            c.prepareStatement("SELECT COUNT(*) FROM pairgate_touch WHERE device_id = ?")) {
      ps.setString(1, deviceId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static List<String> requestIndex(Namespace ns, String deviceId) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(ns.url());
        PreparedStatement ps = c.prepareStatement(
            "SELECT request_id FROM pairgate_request WHERE device_id = ? ORDER BY request_id")) {
      ps.setString(1, deviceId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /**
   * The server-side id of the connection whose access-time DELETE waits for the lock (on
   * PostgreSQL the DELETE is one part of the compare-and-set's single statement).
   */
  private static String awaitBlockedStatement(Server server, Namespace ns) throws Exception {
    String sql = server == Server.POSTGRESQL
        ? "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            + " AND query LIKE '%DELETE FROM pairgate_touch%' AND query NOT LIKE '%pg_stat_activity%'"
            + " AND datname = current_database()"
        : "SELECT id FROM information_schema.processlist WHERE db = '" + ns.name + "'"
            + " AND info LIKE 'DELETE FROM pairgate_touch%'";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SAFETY_NET_SECONDS);
    try (Connection admin = TestDatabases.adminConnection(server);
        Statement s = admin.createStatement()) {
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = s.executeQuery(sql)) {
          if (rs.next()) {
            return rs.getString(1);
          }
        }
        Thread.sleep(20);
      }
    }
    throw new AssertionError("the compare-and-set never reached the blocked statement");
  }

  private static void kill(Server server, String victim) throws SQLException {
    try (Connection admin = TestDatabases.adminConnection(server);
        Statement s = admin.createStatement()) {
      if (server == Server.POSTGRESQL) {
        s.execute("SELECT pg_terminate_backend(" + Integer.parseInt(victim) + ")");
      } else {
        s.execute("KILL CONNECTION " + Long.parseLong(victim));
      }
    }
  }
}
