package io.pairgate.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.DeviceKeyPair;
import io.pairgate.InMemoryPairingStore;
import io.pairgate.PairedDevice;
import io.pairgate.PendingRequest;
import io.pairgate.store.json.OpenClawFiles;
import io.pairgate.testkit.SampleRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** OpenClaw 2026.9's SQLite pairing tables: column mapping, read-only reading, writing. */
class OpenClawSqliteTest {
  @TempDir Path tmp;

  private final DeviceKeyPair paired = SampleRecords.keyPair("sqlite-paired");
  private final DeviceKeyPair waiting = SampleRecords.keyPair("sqlite-waiting");
  private static final String RID = "7c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e";
  private static final String PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----SECRET-GATEWAY-KEY";

  /** A 2026.9 database (the real DDL, WAL mode) with one full row per table and a gateway key. */
  private Path database() throws Exception {
    Path db = tmp.resolve("oc/state/openclaw.sqlite");
    Files.createDirectories(db.getParent());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = WAL");
      for (String sql : OpenClawSqlite.ddl().split(";")) {
        if (!sql.isBlank()) {
          st.execute(sql);
        }
      }
      st.execute("CREATE TABLE device_identities (identity_key TEXT NOT NULL PRIMARY KEY,"
          + " device_id TEXT NOT NULL, public_key_pem TEXT NOT NULL, private_key_pem TEXT NOT"
          + " NULL, created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL) STRICT");
      st.execute("INSERT INTO device_identities VALUES ('gateway', 'x', 'pub', '" + PRIVATE_KEY
          + "', 1, 1)");
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO device_pairing_paired VALUES"
          + " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
        int i = 1;
        ps.setString(i++, paired.deviceId().value());
        ps.setString(i++, paired.publicKey().base64Url());
        ps.setString(i++, "Ada's laptop");
        ps.setString(i++, "build box");
        ps.setString(i++, "linux");
        ps.setString(i++, "Linux");
        ps.setString(i++, "cli");
        ps.setString(i++, "cli");
        ps.setString(i++, "http://127.0.0.1");
        ps.setString(i++, "operator");
        ps.setString(i++, "[\"operator\"]");
        ps.setString(i++, "[\"operator.pairing\",\"operator.read\"]");
        ps.setString(i++, "[\"operator.pairing\",\"operator.read\"]");
        ps.setString(i++, "203.0.113.8");
        ps.setString(i++, "{\"operator\":{\"token\":\"hsceoS14Xh7Z7tQCuuLhKdYMAHxf_39fqiG5_xw-De0\","
            + "\"role\":\"operator\",\"scopes\":[\"operator.pairing\"],\"createdAtMs\":"
            + "1796396611638,\"lastUsedAtMs\":1796396611700}}");
        ps.setString(i++, "owner");
        ps.setString(i++, "{\"commands\":[\"canvas.present\"]}");
        ps.setString(i++, "{\"commands\":[\"system.run\"]}");
        ps.setLong(i++, 1796396611638L);
        ps.setLong(i++, 1796396611639L);
        ps.setLong(i++, 1796396611700L);
        ps.setString(i++, "connect");
        ps.executeUpdate();
      }
      long now = System.currentTimeMillis();
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO device_pairing_pending VALUES"
          + " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
        int i = 1;
        ps.setString(i++, RID);
        ps.setString(i++, waiting.deviceId().value());
        ps.setString(i++, waiting.publicKey().base64Url());
        ps.setString(i++, "Kiosk");
        ps.setString(i++, "linux");
        ps.setString(i++, "Linux");
        ps.setString(i++, "cli");
        ps.setString(i++, "cli");
        ps.setString(i++, "https://ui.example");
        ps.setString(i++, "operator");
        ps.setString(i++, "[\"operator\"]");
        ps.setString(i++, "[\"operator.read\"]");
        ps.setString(i++, "198.51.100.20");
        ps.setLong(i++, 1);
        ps.setLong(i++, 0);
        ps.setLong(i++, now - 60_000);
        ps.setLong(i++, now - 1_000);
        ps.executeUpdate();
      }
    }
    return db;
  }

  private static List<String> columns(Connection c, String table) throws Exception {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA table_info(" + table + ")")) {
      while (rs.next()) {
        out.add(rs.getString("name"));
      }
    }
    return out;
  }

  @Test
  void everyColumnOfBothTables_isMappedOrReportedAsDroppedByName() throws Exception {
    Path db = database();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      assertEquals(OpenClawSqlite.PAIRED.stream().map(OpenClawSqlite.Column::name).toList(),
          columns(c, OpenClawSqlite.PAIRED_TABLE), "the mapping lists 2026.9's columns in order");
      assertEquals(OpenClawSqlite.PENDING.stream().map(OpenClawSqlite.Column::name).toList(),
          columns(c, OpenClawSqlite.PENDING_TABLE));
    }
    InMemoryPairingStore store = new InMemoryPairingStore();
    OpenClawFiles.ImportReport r = OpenClawFiles.importRows(store, OpenClawSqlite.read(db),
        OpenClawFiles.DEFAULT_PENDING_TTL, false);
    // every dropped column is reported by name
    List<String> dropped = new ArrayList<>();
    for (OpenClawSqlite.Column col : OpenClawSqlite.PAIRED) {
      if (col.isDropped()) {
        dropped.add(OpenClawSqlite.PAIRED_TABLE + "." + col.name());
      }
    }
    for (OpenClawSqlite.Column col : OpenClawSqlite.PENDING) {
      if (col.isDropped()) {
        dropped.add(OpenClawSqlite.PENDING_TABLE + "." + col.name());
      }
    }
    assertEquals(List.of("device_pairing_paired.node_surface_json",
        "device_pairing_paired.pending_node_surface_json", "device_pairing_pending.silent"),
        dropped);
    assertEquals(dropped.size(), r.dropped().size(), r.dropped().toString());
    for (int i = 0; i < dropped.size(); i++) {
      assertTrue(r.dropped().get(i).startsWith(dropped.get(i) + ": "), r.dropped().toString());
      assertTrue(r.dropped().get(i).contains("(1 row(s) with a value)"), r.dropped().get(i));
    }
    // and every mapped column's value arrives in the record
    PairedDevice p = store.load(paired.deviceId()).orElseThrow().paired();
    assertEquals(paired.publicKey(), p.publicKey()); // device_id, public_key
    assertEquals("Ada's laptop", p.client().displayName());
    assertEquals("build box", p.label()); // operator_label
    assertEquals("linux", p.client().platform());
    assertEquals("Linux", p.client().deviceFamily());
    assertEquals("cli", p.client().clientId());
    assertEquals("cli", p.client().clientMode());
    assertEquals("http://127.0.0.1", p.browserOrigin());
    assertEquals("[operator]", p.roles().toString()); // role, roles_json
    assertEquals("operator.pairing,operator.read", p.approvedScopes().toString());
    assertEquals("203.0.113.8", p.remoteAddress());
    assertEquals("operator.pairing",
        p.tokens().values().iterator().next().scopes().toString()); // tokens_json
    assertEquals(Instant.ofEpochMilli(1796396611700L),
        p.tokens().values().iterator().next().lastUsedAt());
    assertEquals("operator", p.approvedVia()); // approved_via owner
    assertEquals(Instant.ofEpochMilli(1796396611638L), p.createdAt());
    assertEquals(Instant.ofEpochMilli(1796396611639L), p.approvedAt());
    assertEquals(Instant.ofEpochMilli(1796396611700L), p.lastSeenAt());
    assertEquals("connect", p.lastSeenReason());
    PendingRequest q = store.load(waiting.deviceId()).orElseThrow().pending();
    assertEquals(RID, q.requestId().value());
    assertEquals(waiting.publicKey(), q.publicKey());
    assertEquals("Kiosk", q.client().displayName());
    assertEquals("Linux", q.client().deviceFamily());
    assertEquals("https://ui.example", q.browserOrigin());
    assertEquals("operator.read", q.scopes().toString());
    assertEquals("198.51.100.20", q.remoteAddress());
    assertFalse(q.repair()); // is_repair
    assertEquals(q.createdAt().plusSeconds(59), q.refreshedAt()); // ts, refreshed_at_ms
  }

  @Test
  void reading_changesNothing_takesNoWriteLock_seesTheWal_andNeverReadsTheGatewayIdentity()
      throws Exception {
    Path db = database();
    // a writer keeps its connection open with automatic checkpoints off: the rows stay in the WAL
    try (Connection writer = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      try (Statement st = writer.createStatement()) {
        st.execute("PRAGMA wal_autocheckpoint = 0");
        st.execute("PRAGMA busy_timeout = 0");
        st.execute("UPDATE device_pairing_paired SET operator_label = 'from the wal'");
      }
      assertTrue(Files.size(db.resolveSibling("openclaw.sqlite-wal")) > 0);
      byte[] before = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(db));
      FileTime mtime = Files.getLastModifiedTime(db);
      AtomicReference<Exception> writerFailure = new AtomicReference<>();
      OpenClawFiles.Rows rows = OpenClawSqlite.read(db, () -> {
        // inside the import's read transaction, a concurrent writer commits without waiting
        try (Statement st = writer.createStatement()) {
          st.execute("INSERT INTO device_pairing_pending (request_id, device_id, public_key, ts)"
              + " VALUES ('late', 'x', 'y', 1)");
        } catch (Exception e) {
          writerFailure.set(e);
        }
      });
      assertNull(writerFailure.get(), "the writer was blocked: " + writerFailure.get());
      assertEquals("from the wal", rows.paired().get(0).fields().get("operatorLabel"));
      assertEquals(1, rows.pending().size(), "one consistent snapshot: the late row is not seen");
      assertArrayEquals(before, MessageDigest.getInstance("SHA-256").digest(
          Files.readAllBytes(db)), "the database file is unchanged");
      assertEquals(mtime, Files.getLastModifiedTime(db));
      String everything = rows.toString();
      assertFalse(everything.contains("SECRET-GATEWAY-KEY"), "device_identities is never read");
    }
  }

  @Test
  void aRowPairgateCannotAccept_isNamedWithTheReason_andNothingIsImported() throws Exception {
    Path db = database();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      st.execute("INSERT INTO device_pairing_pending (request_id, device_id, public_key, roles_json,"
          + " ts) VALUES ('bad-json', '" + waiting.deviceId().value() + "', '"
          + waiting.publicKey().base64Url() + "', '[oops', 1)");
      st.execute("INSERT INTO device_pairing_pending (request_id, device_id, public_key, ts)"
          + " VALUES ('bad-key', 'not-a-device', 'AAAA', 1)");
    }
    CliRunner cli = new CliRunner(tmp.resolve("store"), Clock.systemUTC());
    CliRunner.Result r = cli.run("store", "import-openclaw", tmp.resolve("oc").toString());
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.out().contains("rejected: device_pairing_pending bad-json: roles_json: not JSON"),
        r.out());
    assertTrue(r.out().contains("rejected: device_pairing_pending bad-key: deviceId"), r.out());
    assertTrue(r.err().contains("nothing was imported"), r.err());
    assertFalse(Files.exists(tmp.resolve("store/store.json")),
        "a refused import does not even create the store");

    CliRunner.Result rest = cli.run("store", "import-openclaw", "--skip-rejected",
        tmp.resolve("oc").toString());
    assertEquals(1, rest.code(), "skipped rows still fail the command: " + rest);
    assertTrue(rest.out().contains("Imported 1 paired device(s) and 1 pending request(s)"),
        rest.out());
  }

  @Test
  void export_writes2026_9Layout_withoutTokens_andRefusesToOverwriteWithoutForce()
      throws Exception {
    Path db = database();
    CliRunner cli = new CliRunner(tmp.resolve("store"), Clock.systemUTC());
    assertEquals(0, cli.run("store", "import-openclaw", tmp.resolve("oc").toString()).code());
    Path out = tmp.resolve("out");
    CliRunner.Result ex = cli.run("store", "export-openclaw", "--format", "sqlite",
        out.toString());
    assertEquals(0, ex.code(), ex.toString());
    assertTrue(ex.out().contains("Tokens are not exported"), ex.out());
    Path written = out.resolve("state/openclaw.sqlite");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + written)) {
      try (Connection src = DriverManager.getConnection("jdbc:sqlite:" + db)) {
        for (String t : List.of(OpenClawSqlite.PAIRED_TABLE, OpenClawSqlite.PENDING_TABLE)) {
          assertEquals(columns(src, t), columns(c, t), t + " has 2026.9's column layout");
        }
      }
      Map<String, Object> row = new LinkedHashMap<>();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT * FROM device_pairing_paired")) {
        assertTrue(rs.next());
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
        }
        assertFalse(rs.next());
      }
      assertNull(row.get("tokens_json"), "no token leaves Pairgate");
      assertEquals("owner", row.get("approved_via"));
      assertEquals("[\"operator.pairing\",\"operator.read\"]", row.get("approved_scopes_json"));
      assertEquals("http://127.0.0.1", row.get("browser_origin"));
      assertEquals("connect", row.get("last_seen_reason"));
      assertEquals("build box", row.get("operator_label"));
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT request_id, browser_origin, silent, ts,"
              + " refreshed_at_ms FROM device_pairing_pending")) {
        assertTrue(rs.next());
        assertEquals(RID, rs.getString(1));
        assertEquals("https://ui.example", rs.getString(2));
        assertEquals(0, rs.getLong(3));
        assertNotEquals(rs.getLong(4), rs.getLong(5));
      }
    }
    byte[] first = Files.readAllBytes(written);
    CliRunner.Result again = cli.run("store", "export-openclaw", "--format", "sqlite",
        out.toString());
    assertEquals(1, again.code(), again.toString());
    assertTrue(again.err().contains("--force"), again.err());
    assertArrayEquals(first, Files.readAllBytes(written), "nothing was overwritten");
    assertEquals(0, cli.run("store", "export-openclaw", "--format", "sqlite", "--force",
        out.toString()).code());
    // and the export imports back to the same devices
    CliRunner back = new CliRunner(tmp.resolve("store2"), Clock.systemUTC());
    assertEquals(0, back.run("store", "import-openclaw", out.toString()).code());
    JsonNode list = back.run("devices", "list", "--json").json();
    assertEquals("operator", list.get("paired").get(0).get("approvedVia").asString());
    assertEquals(RID, list.get("pending").get(0).get("requestId").asString());
  }

  @Test
  void eraDetection_2026_6StateWithItsEmptyDatabase_readsTheJsonFiles() throws Exception {
    database();
    CliRunner first = new CliRunner(tmp.resolve("store1"), Clock.systemUTC());
    assertEquals(0, first.run("store", "import-openclaw", tmp.resolve("oc").toString()).code());
    Path state = tmp.resolve("oc6");
    assertEquals(0, first.run("store", "export-openclaw", "--format", "json", state.toString())
        .code());
    // OpenClaw 2026.6 also creates state/openclaw.sqlite, with empty pairing tables
    Path db = state.resolve("state/openclaw.sqlite");
    Files.createDirectories(db.getParent());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      for (String sql : OpenClawSqlite.ddl().split(";")) {
        if (!sql.isBlank()) {
          st.execute(sql);
        }
      }
    }
    CliRunner second = new CliRunner(tmp.resolve("store2"), Clock.systemUTC());
    CliRunner.Result r = second.run("store", "import-openclaw", state.toString());
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("Imported 1 paired device(s) and 1 pending request(s)"), r.out());
    assertFalse(r.out().contains("note:"), r.out());
    assertTrue(r.err().contains("JSON state"), r.err());

    // once the database holds pairing rows, it is the source and the JSON files are named
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement st = c.createStatement()) {
      st.execute("INSERT INTO device_pairing_pending (request_id, device_id, public_key, role,"
          + " scopes_json, ts) VALUES ('" + RID + "', '" + waiting.deviceId().value() + "', '"
          + waiting.publicKey().base64Url() + "', 'operator', '[\"operator.read\"]', "
          + System.currentTimeMillis() + ")");
    }
    CliRunner third = new CliRunner(tmp.resolve("store3"), Clock.systemUTC());
    r = third.run("store", "import-openclaw", state.toString());
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("note:     " + state.resolve("devices")), r.out());
    assertTrue(r.out().contains("Imported 0 paired device(s) and 1 pending request(s)"), r.out());
  }
}
