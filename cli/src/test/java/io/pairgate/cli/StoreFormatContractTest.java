package io.pairgate.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.ClientInfo;
import io.pairgate.DeviceKeyPair;
import io.pairgate.PairedDevice;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.store.jdbc.JdbcPairingStore;
import io.pairgate.store.json.JsonPairingStore;
import io.pairgate.testkit.SampleRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #16 item 3: both stores write one record format. For the same records, store-json's device
 * file and store-jdbc's {@code record_json} value are the same bytes (core's shared record
 * document), and each store reads back what it wrote.
 */
class StoreFormatContractTest {
  @TempDir Path tmp;

  private static List<DeviceRecord> records() {
    DeviceRecord full = SampleRecords.full(SampleRecords.keyPair("contract-full"), 1, "c", false);
    PairedDevice p = full.paired();
    Instant nanos = Instant.parse("2024-02-29T23:59:59.123456789Z");
    DeviceKeyPair odd = SampleRecords.keyPair("contract-odd");
    PairedDevice q = new PairedDevice(odd.deviceId(), odd.publicKey(), p.roles(),
        p.approvedScopes(), new ClientInfo("cli", "cli", "linux", "", "\ud83d\ude00 \u00e9\u2028", "1"),
        "tab\tquote\"back\\slash", java.util.Map.of(), nanos, nanos.plusNanos(1), null,
        "operator", "", "", "", true);
    return List.of(full,
        SampleRecords.full(SampleRecords.keyPair("contract-blocked"), 1, "b", true),
        SampleRecords.paired(SampleRecords.keyPair("contract-paired"), 1, "paired"),
        SampleRecords.pending(SampleRecords.keyPair("contract-pending"), 1,
            SampleRecords.requestId("contract")),
        new DeviceRecord(odd.deviceId(), 1, q, null, false, List.of()));
  }

  @Test
  void bothStoresWriteTheSameBytesForTheSameRecord() throws Exception {
    Path dir = tmp.resolve("json-store");
    String url = "jdbc:sqlite:" + tmp.resolve("pairgate.db");
    List<DeviceRecord> records = records();
    try (JsonPairingStore json = JsonPairingStore.open(dir);
        JdbcPairingStore jdbc = JdbcPairingStore.url(url).touchFlushInterval(Duration.ZERO).open()) {
      for (DeviceRecord r : records) {
        assertTrue(json.compareAndSet(0, r));
        assertTrue(jdbc.compareAndSet(0, r));
        assertEquals(r, json.load(r.deviceId()).orElseThrow());
        assertEquals(r, jdbc.load(r.deviceId()).orElseThrow());
      }
    }
    try (Connection c = DriverManager.getConnection(url); PreparedStatement ps =
        c.prepareStatement("SELECT record_json FROM pairgate_device WHERE device_id = ?")) {
      for (DeviceRecord r : records) {
        String id = r.deviceId().value();
        byte[] file = Files.readAllBytes(dir.resolve("devices").resolve(id.substring(0, 2))
            .resolve(id + ".json"));
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          assertTrue(rs.next());
          byte[] row = rs.getString(1).getBytes(StandardCharsets.UTF_8);
          assertArrayEquals(file, row, () -> "store-json:\n" + new String(file,
              StandardCharsets.UTF_8) + "\nstore-jdbc:\n" + new String(row, StandardCharsets.UTF_8));
        }
        String text = new String(file, StandardCharsets.UTF_8);
        assertTrue(text.contains("\"formatVersion\": 3,"), text);
        assertTrue(text.chars().allMatch(ch -> ch == '\n' || (ch >= 0x20 && ch < 0x7f)),
            "ASCII only: " + text);
      }
    }
  }
}
