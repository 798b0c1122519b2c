package io.pairgate.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.pairgate.DeviceKeyPair;
import io.pairgate.PairedDevice;
import io.pairgate.PendingRequest;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.testkit.SampleRecords;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A database written by the previous release (record format 1: no {@code browserOrigin}, no
 * {@code lastSeenReason}) opens, its rows are rewritten in the shared format 3 on open with the same version,
 * and nothing is lost.
 */
class RecordFormatUpgradeTest {
  @TempDir Path dir;

  /** A row exactly as record format 1 wrote it. */
  static String v1Document(DeviceKeyPair k) {
    String pk = k.publicKey().base64Url();
    return "{\"v\":1,\"blocked\":false,\"paired\":{\"publicKey\":\"" + pk + "\",\"roles\":"
        + "[\"operator\"],\"approvedScopes\":[\"operator.read\"],\"client\":{\"clientId\":\"cli\","
        + "\"clientMode\":\"cli\",\"platform\":\"linux\",\"deviceFamily\":\"\",\"displayName\":\"\","
        + "\"version\":\"\"},\"label\":\"old\",\"tokens\":{},\"createdAt\":\"2023-11-14T22:13:20Z\","
        + "\"approvedAt\":\"2023-11-14T22:13:21Z\",\"lastSeenAt\":\"2023-11-14T22:13:22Z\","
        + "\"approvedVia\":\"operator\",\"remoteAddress\":\"203.0.113.9\"},\"pending\":{"
        + "\"requestId\":\"0b7d3a34-52b5-4c8e-9a57-1f4a8d7e9c10\",\"publicKey\":\"" + pk + "\","
        + "\"role\":\"operator\",\"roles\":[\"operator\"],\"scopes\":[\"operator.write\"],"
        + "\"client\":{\"clientId\":\"cli\",\"clientMode\":\"cli\",\"platform\":\"linux\","
        + "\"deviceFamily\":\"\",\"displayName\":\"\",\"version\":\"\"},\"remoteAddress\":"
        + "\"203.0.113.9\",\"createdAt\":\"2023-11-14T22:13:23Z\",\"refreshedAt\":"
        + "\"2023-11-14T22:13:24Z\",\"expiresAt\":\"2099-01-01T00:00:00Z\",\"repair\":true,"
        + "\"reason\":\"scope-upgrade\"},\"resolved\":[]}";
  }

  private DataSource open(String db) {
    if (db.equals("h2")) {
      return TestDatabases.h2File(dir, "upgrade");
    }
    return TestDatabases.sqliteFile(dir.resolve("upgrade.db"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"h2", "sqlite"})
  void aV1Row_isReadAndRewrittenInFormat3OnOpen(String db) throws Exception {
    DeviceKeyPair k = SampleRecords.keyPair("jdbc-upgrade-" + db);
    DataSource ds = open(db);
    try {
      // create the schema, then plant the old row as the previous release wrote it
      JdbcPairingStore.builder(ds).touchFlushInterval(Duration.ZERO).open().close();
      try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
          "INSERT INTO pairgate_device (device_id, version, record_json, pending_expires_at,"
              + " pending_address, updated_at) VALUES (?, 3, ?, ?, ?, 0)")) {
        ps.setString(1, k.deviceId().value());
        ps.setString(2, v1Document(k));
        ps.setLong(3, Instant.parse("2099-01-01T00:00:00Z").toEpochMilli());
        ps.setString(4, "203.0.113.9");
        ps.executeUpdate();
        try (PreparedStatement r = c.prepareStatement(
            "INSERT INTO pairgate_request (request_id, device_id) VALUES (?, ?)")) {
          r.setString(1, "0b7d3a34-52b5-4c8e-9a57-1f4a8d7e9c10");
          r.setString(2, k.deviceId().value());
          r.executeUpdate();
        }
      }
      try (JdbcPairingStore s =
          JdbcPairingStore.builder(ds).touchFlushInterval(Duration.ZERO).open()) {
        String text = rowText(ds, k);
        assertTrue(text.contains("\n  \"formatVersion\": 3,\n"), text);
        assertTrue(text.contains("\"browserOrigin\": \"\""), text);
        assertTrue(text.contains("\"lastSeenReason\": \"connect\""), text);
        DeviceRecord r = s.load(k.deviceId()).orElseThrow();
        assertEquals(3, r.version(), "a format rewrite is not a change");
        PairedDevice p = r.paired();
        assertEquals("old", p.label());
        assertEquals("203.0.113.9", p.remoteAddress());
        assertEquals("", p.browserOrigin());
        assertEquals("connect", p.lastSeenReason());
        PendingRequest q = r.pending();
        assertEquals(Instant.parse("2023-11-14T22:13:24Z"), q.refreshedAt());
        assertEquals("", q.browserOrigin());
        assertEquals(r, s.findByRequestId(q.requestId()).orElseThrow());
        DeviceRecord next = new DeviceRecord(r.deviceId(), 4,
            p.withBrowserOrigin("https://ui.example"), q, false, r.resolved());
        assertTrue(s.compareAndSet(3, next));
        assertEquals("https://ui.example",
            s.load(k.deviceId()).orElseThrow().paired().browserOrigin());
      }
    } finally {
      if (ds instanceof HikariDataSource h) {
        h.close();
      }
    }
  }

  private static String rowText(DataSource ds, DeviceKeyPair k) throws Exception {
    try (Connection c = ds.getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT record_json FROM pairgate_device WHERE device_id = '"
            + k.deviceId().value() + "'")) {
      assertTrue(rs.next());
      return rs.getString(1);
    }
  }
}
