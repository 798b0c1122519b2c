package io.pairgate.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.RequestId;
import io.pairgate.ClientInfo;
import io.pairgate.DeviceKeyPair;
import io.pairgate.DeviceToken;
import io.pairgate.PairedDevice;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.UpgradeReason;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.ResolvedRequest;
import io.pairgate.spi.ResolvedRequest.Resolution;
import io.pairgate.testkit.SampleRecords;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordCodecTest {
  private static final DeviceKeyPair KEY = SampleRecords.keyPair("codec");

  private static DeviceRecord roundTrip(DeviceRecord r) {
    String text = RecordCodec.encode(r);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      assertTrue(c == '\n' || (c >= 0x20 && c < 0x7f), "encoded text must be printable ASCII"
          + " lines, found U+"
          + Integer.toHexString(c) + " at " + i);
    }
    assertEquals(r, RecordCodec.decode(r.deviceId(), r.version(), LegacyRecordText.encode(r)),
        "the previous release's compact format 2 still reads the same");
    return RecordCodec.decode(r.deviceId(), r.version(), text);
  }

  @Test
  void fullRecord_roundTripsExactly() {
    for (boolean blocked : new boolean[] {false, true}) {
      DeviceRecord r = SampleRecords.full(KEY, 7, "codec", blocked);
      assertEquals(r, roundTrip(r));
    }
  }

  @Test
  void emptyPartsAndAbsentOptionals_roundTrip() {
    DeviceRecord onlyBlocked = new DeviceRecord(KEY.deviceId(), 1, null, null, true, List.of());
    assertEquals(onlyBlocked, roundTrip(onlyBlocked));
    DeviceRecord paired = SampleRecords.paired(KEY, 2, "");
    assertEquals(paired, roundTrip(paired));
    PairedDevice noTokens = paired.paired().withTokens(Map.of());
    DeviceRecord r = new DeviceRecord(KEY.deviceId(), 3, noTokens, null, false, List.of());
    assertEquals(r, roundTrip(r));
  }

  @Test
  void instants_keepNanosecondsAndExtremes() {
    Instant[] instants = {
      Instant.ofEpochSecond(1_700_000_000L, 123_456_789), Instant.ofEpochSecond(-1, 1),
      Instant.EPOCH, Instant.MIN, Instant.MAX, Instant.parse("+12026-01-01T00:00:00Z")
    };
    for (Instant at : instants) {
      DeviceRecord r = new DeviceRecord(KEY.deviceId(), 1, null, null, false,
          List.of(new ResolvedRequest(RequestId.of("id-" + at.getEpochSecond()), Resolution.EXPIRED, null, at)));
      assertEquals(r, roundTrip(r), "instant " + at);
    }
  }

  @Test
  void parseInstant_agreesWithInstantParse() {
    java.util.Random r = new java.util.Random(42);
    for (int i = 0; i < 20_000; i++) {
      long seconds = r.nextLong() % 400_000_000_000L; // about ±12 700 years
      int nanos = switch (i % 4) {
        case 0 -> 0;
        case 1 -> r.nextInt(1000) * 1_000_000;
        case 2 -> r.nextInt(1_000_000) * 1_000;
        default -> r.nextInt(1_000_000_000);
      };
      Instant at = Instant.ofEpochSecond(seconds, nanos);
      assertEquals(at, RecordCodec.parseInstant(at.toString()), at.toString());
    }
    for (String text : new String[] {"2023-11-14T22:13:20Z", "2023-11-14T22:13:20.1Z",
        "2023-11-14T22:13:20.12345Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
        "2024-02-29T00:00:00Z"}) {
      assertEquals(Instant.parse(text), RecordCodec.parseInstant(text), text);
    }
    for (String bad : new String[] {"2023-02-29T00:00:00Z", "2023-13-01T00:00:00Z",
        "2023-11-14T22:60:00Z", "2023-11-14 22:13:20Z",
        "2023-11-14T22:13:20", "2023-11-14T22:13:2xZ", "2023-11-14T22:13:20.12xZ", "", "Z"}) {
      assertThrows(RuntimeException.class, () -> RecordCodec.parseInstant(bad), bad);
    }
  }

  @Test
  void strings_withAnyCharacters_roundTrip() {
    String nasty = "quote\" backslash\\ slash/ nul\u0000 tab\t nl\n del\u007f é ✓ 😀 lone\ud800"
        + " low\udc00 bom\ufeff";
    ClientInfo client = new ClientInfo(nasty, "ui", "iOS 18", "iPhone", nasty, nasty);
    DeviceToken t = new DeviceToken(Role.of("custom-role_1"), ScopeSet.of("custom-role_1.x"),
        null, SampleRecords.at(1), null, null, null);
    PairedDevice p = new PairedDevice(KEY.deviceId(), KEY.publicKey(),
        List.of(Role.of("custom-role_1")), ScopeSet.empty(), client, nasty,
        Map.of(Role.of("custom-role_1"), t), SampleRecords.at(0), SampleRecords.at(0), null, nasty,
        nasty);
    // request ids are RequestIds ([A-Za-z0-9_-]); every other string field holds the nasty text
    PendingRequest q = new PendingRequest(RequestId.of("nasty-1"), KEY.deviceId(), KEY.publicKey(), Role.NODE,
        List.of(Role.NODE), ScopeSet.of("node.exec"), client, nasty, SampleRecords.at(1),
        SampleRecords.at(2), SampleRecords.at(3), true, UpgradeReason.METADATA_UPGRADE);
    DeviceRecord r = new DeviceRecord(KEY.deviceId(), 9, p, q, false,
        List.of(new ResolvedRequest(RequestId.of("nasty-2"), Resolution.SUPERSEDED,
            RequestId.of("nasty-1"), SampleRecords.at(4))));
    assertEquals(r, roundTrip(r));
  }

  @Test
  void tokenKeyedByAnotherRole_roundTripsAsStored() {
    DeviceToken nodeToken = new DeviceToken(Role.NODE, ScopeSet.of("node.exec"),
        SampleRecords.tokenHash("x"), SampleRecords.at(0), null, null, null);
    PairedDevice p = SampleRecords.pairedDevice(KEY, "odd", "operator.read")
        .withTokens(Map.of(Role.OPERATOR, nodeToken));
    DeviceRecord r = new DeviceRecord(KEY.deviceId(), 1, p, null, false, List.of());
    assertEquals(r, roundTrip(r));
  }

  @Test
  void decode_rejectsAnythingButExactlyTheWrittenShape() {
    // format 2, the compact document the previous release wrote (format 3 is RecordJsonTest's)
    DeviceRecord r = SampleRecords.full(KEY, 1, "strict", false);
    String good = LegacyRecordText.encode(r);
    String[] bad = {
      "",
      "null",
      good + "x",
      good.substring(0, good.length() - 1),
      good.replace("\"blocked\":false", "\"blocked\":\"false\""),
      good.replace("\"blocked\":false", "\"blocked\":false,\"blocked\":true"),
      good.replace("\"blocked\":false", "\"blocked\":false,\"extra\":1"),
      good.replace("\"blocked\":false,", ""),
      good.replace("{\"v\":2", "{\"v\":3"),
      good.replace("{\"v\":2", "{\"v\":2.0"),
      good.replace("{\"v\":2", "{\"v\":1"), // format 1 has "secret", not "hash", and none of format 2's fields
      good.replace("\"hash\":\"sha256:", "\"hash\":\"sha512:"),
      good.replace("\"hash\":null", "\"hash\":7"),
      good.replace("\"label\":", "\"labels\":"),
      good.replace("\"outcome\":\"approved\"", "\"outcome\":\"maybe\""),
      good.replace("\"reason\":\"scope-upgrade\"", "\"reason\":\"whim\""),
      good.replace("\"role\":\"operator\"", "\"role\":\"Operator\""),
      good.replace("\"operator.read\"", "\"bad scope\""),
      good.replace("\"createdAt\":\"", "\"createdAt\":\"yesterday"),
      good.replace("\"createdAt\":\"", "\"createdAt\":null,\"x\":\""),
      good.replace("\"publicKey\":\"", "\"publicKey\":\"!"),
      good.replace("\\u00eb", "\\u00g1"),
      good.replace("\"resolved\":[", "\"resolved\":{"),
    };
    for (String text : bad) {
      assertThrows(RuntimeException.class, () -> RecordCodec.decode(r.deviceId(), 1, text),
          () -> "must reject: " + text);
    }
    assertEquals(r, RecordCodec.decode(r.deviceId(), 1, good));
  }

  @Test
  void decode_format3_isTheSharedDocument_andItsIdAndVersionMustMatchTheRow() {
    DeviceRecord r = SampleRecords.full(KEY, 4, "shared", false);
    String text = RecordCodec.encode(r);
    assertEquals(io.pairgate.internal.json.RecordJson.encode(r), text);
    assertTrue(text.contains("\"formatVersion\": 3,"), text);
    assertEquals(r, RecordCodec.decode(KEY.deviceId(), 4, text));
    assertThrows(IllegalArgumentException.class, () -> RecordCodec.decode(KEY.deviceId(), 5, text));
    assertThrows(IllegalArgumentException.class,
        () -> RecordCodec.decode(SampleRecords.deviceId("other"), 4, text));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RecordCodec.decode(KEY.deviceId(), 4,
            text.replace("\"formatVersion\": 3,", "\"formatVersion\": 4,")));
    assertTrue(e.getMessage().contains("newer Pairgate"), e.getMessage());
  }

  @Test
  void decode_newerFormat_saysSo() {
    String text = LegacyRecordText.encode(SampleRecords.paired(KEY, 1, "x")).replace("{\"v\":2",
        "{\"v\":3");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RecordCodec.decode(KEY.deviceId(), 1, text));
    assertTrue(e.getMessage().contains("newer Pairgate"), e.getMessage());
  }
}
