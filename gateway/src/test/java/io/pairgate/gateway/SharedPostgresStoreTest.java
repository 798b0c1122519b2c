package io.pairgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pairgate.RequestId;
import io.pairgate.Approver;
import io.pairgate.AuthMethod;
import io.pairgate.Role;
import io.pairgate.client.ConnectProof;
import io.pairgate.store.jdbc.JdbcPairingStore;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Two gateways, each with its own {@link JdbcPairingStore}, on one PostgreSQL database: a
 * revocation, removal or block made through one closes the device's live socket on the other
 * within 1 s (the store's LISTEN/NOTIFY change notification).
 */
class SharedPostgresStoreTest {
  static final String TOKEN = GatewayTestBase.TOKEN;
  static final String ADMIN_URL = System.getenv().getOrDefault("PAIRGATE_PG_URL",
      "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  String schema;
  JdbcPairingStore storeA;
  JdbcPairingStore storeB;
  PairgateGateway gwA;
  PairgateGateway gwB;

  private static void exec(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(ADMIN_URL);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  @BeforeEach
  void start() throws SQLException {
    byte[] b = new byte[6];
    new SecureRandom().nextBytes(b);
    schema = "pairgate_gw_" + HexFormat.of().formatHex(b);
    try {
      exec("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      fail("PostgreSQL is required for this test (" + ADMIN_URL + "): " + e.getMessage());
    }
    String url = ADMIN_URL + "&currentSchema=" + schema;
    storeA = JdbcPairingStore.url(url).open();
    storeB = JdbcPairingStore.url(url).open();
    gwA = PairgateGateway.builder(storeA).port(0).sharedToken(TOKEN).autoApproveLocal(false)
        .start();
    gwB = PairgateGateway.builder(storeB).port(0).sharedToken(TOKEN).autoApproveLocal(false)
        .start();
  }

  @AfterEach
  void stop() throws SQLException {
    gwA.close();
    gwB.close();
    storeA.close();
    storeB.close();
    exec("DROP SCHEMA " + schema + " CASCADE");
  }

  /** Pairs a fresh device through gateway A and returns a live connection of it on gateway B. */
  private WsClient liveOnB(Devices d) {
    WsClient first = WsClient.open(gwA.url());
    ConnectProof p = d.sign(first.challenge(), Role.OPERATOR, List.of("operator.read"),
        AuthMethod.SHARED_TOKEN, TOKEN);
    JsonNode res = first.call("connect", WsClient.connectParams(p, TOKEN));
    first.close();
    gwA.pairing().approve(RequestId.of(res.path("error").path("details").path("requestId").asString()),
        Approver.admin("test"));
    WsClient ws = WsClient.open(gwB.url());
    ConnectProof p2 = d.sign(ws.challenge(), Role.OPERATOR, List.of("operator.read"),
        AuthMethod.SHARED_TOKEN, TOKEN);
    JsonNode hello = ws.call("connect", WsClient.connectParams(p2, TOKEN));
    assertTrue(hello.path("ok").asBoolean(), hello.toString());
    return ws;
  }

  private static void assertClosedWithin1s(WsClient ws, String reason) throws Exception {
    WsClient.Close c = ws.closed.get(1, TimeUnit.SECONDS);
    assertEquals(4001, c.code());
    assertEquals(reason, c.reason());
  }

  @Test
  void revokeOnOneGatewayClosesTheSocketOnTheOther() throws Exception {
    Devices d = new Devices();
    WsClient ws = liveOnB(d);
    gwA.pairing().revoke(d.key.deviceId(), Role.OPERATOR);
    assertClosedWithin1s(ws, "device token revoked");
  }

  @Test
  void removeAndBlockOnOneGatewayCloseTheSocketOnTheOther() throws Exception {
    Devices d = new Devices();
    WsClient ws = liveOnB(d);
    gwA.pairing().remove(d.key.deviceId());
    assertClosedWithin1s(ws, "device removed");
    Devices e = new Devices();
    WsClient ws2 = liveOnB(e);
    gwA.pairing().block(e.key.deviceId());
    assertClosedWithin1s(ws2, "device blocked");
  }

  @Test
  void anUnrelatedChangeLeavesTheSocketOpen() throws Exception {
    Devices d = new Devices();
    WsClient ws = liveOnB(d);
    Devices other = new Devices();
    WsClient ws2 = liveOnB(other);
    gwA.pairing().revoke(other.key.deviceId(), Role.OPERATOR);
    assertClosedWithin1s(ws2, "device token revoked");
    // d's socket still answers
    assertTrue(ws.call("health", null).path("ok").asBoolean());
    ws.close();
  }
}
