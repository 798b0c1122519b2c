package io.pairgate.store.json;

import static io.pairgate.testkit.SampleRecords.keyPair;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.DeviceKeyPair;
import io.pairgate.PairedDevice;
import io.pairgate.PendingRequest;
import io.pairgate.StoreCorruptException;
import io.pairgate.spi.DeviceRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written by the previous release (formatVersion 1: no {@code browserOrigin}, no
 * {@code lastSeenReason}) opens, reads with those fields empty, and is upgraded to the current
 * formatVersion 3, the shared record format (manifest and device files), on a read-write open; a
 * read-only open leaves it alone.
 */
class FormatUpgradeTest {
  @TempDir Path tmp;

  /** The manifest and a device file exactly as formatVersion 1 wrote them. */
  static Path plantV1Store(Path dir, DeviceKeyPair k) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("store.json"),
        "{\"createdAtMs\":1700000000000,\"format\":\"pairgate-json-store\",\"formatVersion\":1}\n");
    String id = k.deviceId().value();
    String pk = k.publicKey().base64Url();
    String device = "{\"blocked\":false,\"deviceId\":\"" + id + "\",\"format\":\"pairgate-device\","
        + "\"formatVersion\":1,\"paired\":{\"approvedAtMs\":1700000001000,\"approvedScopes\":"
        + "[\"operator.read\"],\"approvedVia\":\"operator\",\"client\":{\"clientId\":\"cli\","
        + "\"clientMode\":\"cli\",\"deviceFamily\":\"\",\"displayName\":\"\",\"platform\":"
        + "\"linux\",\"version\":\"\"},\"createdAtMs\":1700000000500,\"label\":\"old\","
        + "\"lastSeenAtMs\":1700000002000,\"publicKey\":\"" + pk + "\",\"remoteAddress\":"
        + "\"203.0.113.9\",\"roles\":[\"operator\"],\"tokens\":{}},\"pending\":{\"client\":"
        + "{\"clientId\":\"cli\",\"clientMode\":\"cli\",\"deviceFamily\":\"\",\"displayName\":"
        + "\"\",\"platform\":\"linux\",\"version\":\"\"},\"createdAtMs\":1700000003000,"
        + "\"expiresAtMs\":1700000303000,\"publicKey\":\"" + pk + "\",\"reason\":"
        + "\"scope-upgrade\",\"refreshedAtMs\":1700000004000,\"remoteAddress\":\"203.0.113.9\","
        + "\"repair\":true,\"requestId\":\"0b7d3a34-52b5-4c8e-9a57-1f4a8d7e9c10\",\"role\":"
        + "\"operator\",\"roles\":[\"operator\"],\"scopes\":[\"operator.write\"]},\"resolved\":[],"
        + "\"version\":3}\n";
    Path shard = dir.resolve("devices").resolve(id.substring(0, 2));
    Files.createDirectories(shard);
    Files.writeString(shard.resolve(id + ".json"), device);
    return shard.resolve(id + ".json");
  }

  @Test
  void v1Store_opensReadsAndIsUpgraded() throws Exception {
    DeviceKeyPair k = keyPair("upgrade-v1");
    Path dir = tmp.resolve("store");
    Path file = plantV1Store(dir, k);
    try (JsonPairingStore s = JsonPairingStore.open(dir)) {
      assertTrue(Files.readString(dir.resolve("store.json")).replace(" ", "")
          .contains("\"formatVersion\":3"),
          "manifest upgraded on open");
      DeviceRecord r = s.load(k.deviceId()).orElseThrow();
      assertEquals(3, r.version());
      PairedDevice p = r.paired();
      assertEquals("203.0.113.9", p.remoteAddress());
      assertEquals("", p.browserOrigin());
      assertEquals("connect", p.lastSeenReason(), "a v1 lastSeenAt came from a connect");
      assertEquals(Instant.ofEpochMilli(1700000002000L), p.lastSeenAt());
      PendingRequest q = r.pending();
      assertEquals("", q.browserOrigin());
      assertEquals(Instant.ofEpochMilli(1700000004000L), q.refreshedAt());
      String opened = Files.readString(file).replace(" ", "");
      assertTrue(opened.contains("\"formatVersion\":3"), "device files are upgraded on open");
      assertTrue(opened.contains("\"browserOrigin\":\"\""), opened);
      assertTrue(opened.contains("\"lastSeenReason\":\"connect\""), opened);
      assertTrue(opened.contains("\"version\":3"), "an upgrade is not a change: " + opened);
      DeviceRecord next = new DeviceRecord(r.deviceId(), 4, p.withLabel("new"), q, false,
          r.resolved());
      assertTrue(s.compareAndSet(3, next));
    }
    String text = Files.readString(file, StandardCharsets.UTF_8).replace(" ", "");
    assertTrue(text.contains("\"formatVersion\":3"), text);
    assertTrue(text.contains("\"browserOrigin\":\"\""), text);
    assertTrue(text.contains("\"lastSeenReason\":\"connect\""), text);
    try (JsonPairingStore s = JsonPairingStore.open(dir)) {
      assertEquals("new", s.load(k.deviceId()).orElseThrow().paired().label());
    }
  }

  @Test
  void readOnlyOpen_leavesTheV1ManifestAlone() throws Exception {
    DeviceKeyPair k = keyPair("upgrade-ro");
    Path dir = tmp.resolve("store");
    plantV1Store(dir, k);
    try (JsonPairingStore s = JsonPairingStore.builder(dir).readOnly().open()) {
      assertEquals("", s.load(k.deviceId()).orElseThrow().paired().browserOrigin());
    }
    assertTrue(Files.readString(dir.resolve("store.json")).replace(" ", "")
        .contains("\"formatVersion\":1"));
  }

  @Test
  void v1File_carryingAV2Field_isCorrupt_notSilentlyAccepted() throws Exception {
    DeviceKeyPair k = keyPair("upgrade-mixed");
    Path dir = tmp.resolve("store");
    Path file = plantV1Store(dir, k);
    Files.writeString(file, Files.readString(file).replace("\"label\":\"old\",",
        "\"label\":\"old\",\"browserOrigin\":\"http://evil\","));
    StoreCorruptException e = assertThrows(StoreCorruptException.class,
        () -> RecordCodec.decode(Files.readAllBytes(file), file.toString(), null));
    assertTrue(e.getMessage().contains("browserOrigin"), e.getMessage());
  }
}
