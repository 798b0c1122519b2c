package io.pairgate.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.pairgate.DeviceKeyPair;
import io.pairgate.PairingService;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.StoreCorruptException;
import io.pairgate.TokenCheck;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.store.jdbc.TestDatabases.Namespace;
import io.pairgate.store.jdbc.TestDatabases.Server;
import io.pairgate.testkit.SampleRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Token secrets at rest in the JDBC store (issue 14 items 7, 8, 11): rows hold hashes only; rows
 * of the plaintext format 1 (planted) are upgraded once, in one transaction, when a store is
 * built; a corrupt row is never rewritten and its error quotes nothing of it; the SQLite file is
 * created 0600.
 */
class TokenSecretsAtRestTest {
  @TempDir Path dir;

  private static final DeviceKeyPair A = SampleRecords.keyPair("jdbc-at-rest-a");
  private static final DeviceKeyPair B = SampleRecords.keyPair("jdbc-at-rest-b");
  private static final DeviceKeyPair C = SampleRecords.keyPair("jdbc-at-rest-c");

  private static String secretOf(DeviceKeyPair k) {
    return SampleRecords.tokenSecret(k.deviceId() + "/operator");
  }

  private static JdbcPairingStore.Builder quiet(DataSource ds) {
    return JdbcPairingStore.builder(ds).touchFlushInterval(Duration.ZERO);
  }

  private static Map<String, String> rows(DataSource ds) throws SQLException {
    Map<String, String> out = new TreeMap<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT device_id, version, record_json FROM pairgate_device");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2) + " " + rs.getString(3));
      }
    }
    return out;
  }

  private static void setJson(DataSource ds, DeviceKeyPair k, String json) throws SQLException {
    try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
        "UPDATE pairgate_device SET record_json = ? WHERE device_id = ?")) {
      ps.setString(1, json);
      ps.setString(2, k.deviceId().value());
      assertEquals(1, ps.executeUpdate());
    }
  }

  /** The record_json format 1 wrote for {@code k}'s sample record: the plaintext secret. */
  private static String formatOne(DeviceRecord r, DeviceKeyPair k) {
    String v2 = LegacyRecordText.encode(r);
    String hash = SampleRecords.tokenHash(k.deviceId() + "/operator").encoded();
    assertTrue(v2.startsWith("{\"v\":2,") && v2.contains("\"hash\":\"" + hash + "\""), v2);
    return v2.replace("{\"v\":2,", "{\"v\":1,")
        .replace("\"hash\":\"" + hash + "\"", "\"secret\":\"" + secretOf(k) + "\"")
        // nor did format 1 have the fields issue #18 added
        .replaceAll(",\"(browserOrigin|lastSeenReason)\":\"[^\"]*\"", "");
  }

  private static DeviceRecord sample(DeviceKeyPair k) {
    return new DeviceRecord(k.deviceId(), 1, SampleRecords.pairedDevice(k, "", "operator.read"),
        null, false, List.of());
  }

  /** Shared by the embedded and server variants. */
  static void checkUpgradeOnce(DataSource ds) throws SQLException {
    try (JdbcPairingStore store = quiet(ds).open()) {
      for (DeviceKeyPair k : List.of(A, B, C)) {
        assertTrue(store.compareAndSet(0, sample(k)));
      }
    }
    // plant format-1 rows, and one that is corrupt right after its secret
    setJson(ds, A, formatOne(sample(A), A));
    setJson(ds, B, formatOne(sample(B), B));
    String corrupt = formatOne(sample(C), C).replace(
        "\"secret\":\"" + secretOf(C) + "\"", "\"secret\":\"" + secretOf(C) + "\"x");
    setJson(ds, C, corrupt);
    assertTrue(rows(ds).values().stream().anyMatch(v -> v.contains(secretOf(A))));

    try (JdbcPairingStore store = quiet(ds).open()) {
      Map<String, String> after = rows(ds);
      for (DeviceKeyPair k : List.of(A, B)) {
        String row = after.get(k.deviceId().value());
        assertTrue(row.startsWith("1 {\n") && row.contains("\n  \"formatVersion\": 3,\n")
            && row.contains("\n  \"version\": 1\n"), "upgraded, version unchanged: " + row);
        assertFalse(row.contains(secretOf(k)), "a plaintext secret is left: " + row);
        assertEquals(TokenCheck.OK, PairingService.builder(store).build().verifyToken(
            k.deviceId(), Role.OPERATOR, secretOf(k), ScopeSet.of("operator.read")),
            "the device keeps its token");
      }
      assertEquals("1 " + corrupt, after.get(C.deviceId().value()),
          "a corrupt row is never rewritten");
      StoreCorruptException e =
          assertThrows(StoreCorruptException.class, () -> store.load(C.deviceId()));
      List<String> texts = new ArrayList<>();
      for (Throwable t = e; t != null; t = t.getCause()) {
        texts.add(String.valueOf(t.getMessage()));
        texts.add(t.toString());
      }
      String secret = secretOf(C);
      for (String text : texts) {
        for (int i = 0; i + 6 <= secret.length(); i++) {
          assertFalse(text.contains(secret.substring(i, i + 6)),
              "the error quotes the secret: " + text);
        }
      }
    }
    // once: building again changes nothing
    Map<String, String> upgraded = rows(ds);
    try (JdbcPairingStore store = quiet(ds).open()) {
      assertEquals(upgraded, rows(ds));
    }
  }

  enum Db {
    H2, SQLITE
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void plaintextRowsAreHashedOnceOnBuild_embedded(Db db) throws SQLException {
    DataSource ds = db == Db.H2 ? TestDatabases.h2File(dir, "pairing")
        : TestDatabases.sqliteFile(dir.resolve("pairing.db"));
    try {
      checkUpgradeOnce(ds);
    } finally {
      if (ds instanceof HikariDataSource h) {
        h.close();
      } else if (ds instanceof UrlDataSource u) {
        u.close();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void plaintextRowsAreHashedOnceOnBuild_server(Server server) throws SQLException {
    Namespace ns = Namespace.create(server);
    try (HikariDataSource ds = ns.pool(2)) {
      checkUpgradeOnce(ds);
    } finally {
      ns.drop();
    }
  }

  @Test
  void rowsHoldHashesNeverSecrets() throws SQLException {
    DataSource ds = TestDatabases.h2File(dir, "live");
    try (JdbcPairingStore store = quiet(ds).open()) {
      assertTrue(store.compareAndSet(0, sample(A)));
      String secret = PairingService.builder(store).build()
          .rotate(A.deviceId(), Role.OPERATOR).secret().value();
      String row = rows(ds).get(A.deviceId().value());
      assertFalse(row.contains(secret), row);
      assertTrue(row.contains("\"hash\": \"sha256:"), row);
    } finally {
      ((HikariDataSource) ds).close();
    }
  }

  @Test
  void sqliteFileIsCreatedOwnerOnly_andAWiderExistingFileIsNarrowed() throws Exception {
    if (!java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      System.out.println("SKIP sqlite file mode: not a POSIX file system");
      return;
    }
    Path db = dir.resolve("fresh.db");
    try (JdbcPairingStore store = JdbcPairingStore.sqlite(db).open()) {
      assertTrue(store.compareAndSet(0, sample(A)));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(db)));
      Path wal = dir.resolve("fresh.db-wal");
      if (Files.exists(wal)) {
        assertEquals("rw-------",
            PosixFilePermissions.toString(Files.getPosixFilePermissions(wal)));
      }
    }
    Path wide = dir.resolve("wide.db");
    try (JdbcPairingStore store = JdbcPairingStore.sqlite(wide).open()) {
      assertTrue(store.compareAndSet(0, sample(A)));
    }
    Files.setPosixFilePermissions(wide, PosixFilePermissions.fromString("rw-r--r--"));
    try (JdbcPairingStore store = JdbcPairingStore.sqlite(wide).open()) {
      assertEquals("rw-------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(wide)));
      assertTrue(store.load(A.deviceId()).isPresent());
    }
  }
}
