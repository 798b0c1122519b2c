package io.pairgate.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.ClientInfo;
import io.pairgate.DeviceKeyPair;
import io.pairgate.PairedDevice;
import io.pairgate.internal.json.JsonException;
import io.pairgate.internal.json.RecordJson;
import io.pairgate.spi.DeviceRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The shared record document (core's {@link RecordJson}): exact round trips and strict reading. */
class RecordJsonTest {
  private static final DeviceKeyPair KEY = SampleRecords.keyPair("record-json");

  private static DeviceRecord full() {
    return SampleRecords.full(KEY, 7, "rj", false);
  }

  @Test
  void everyFieldRoundTripsAndTheEncodingIsCanonical() {
    DeviceRecord r = full();
    String doc = RecordJson.encode(r);
    assertEquals(r, RecordJson.decode(doc.getBytes(StandardCharsets.US_ASCII)));
    assertEquals(doc, RecordJson.encode(RecordJson.decode(doc.getBytes(StandardCharsets.UTF_8))));
    assertTrue(doc.startsWith("{\n  \"blocked\": false,\n  \"deviceId\": \"" + KEY.deviceId()
        + "\",\n  \"format\": \"pairgate-device\",\n  \"formatVersion\": 3,\n"), doc);
    assertTrue(doc.endsWith("\n  \"version\": 7\n}\n"), doc);
    assertTrue(doc.contains("\"createdAt\": \"2023-11-14T22:13:20Z\""), doc);
    assertFalse(doc.contains("AtMs"), "one timestamp format: ISO-8601 strings");
  }

  @Test
  void nanosecondsNonAsciiAndUnpairedSurrogatesSurviveAsAsciiText() {
    DeviceRecord base = full();
    PairedDevice p = base.paired();
    Instant nanos = Instant.parse("2024-02-29T23:59:59.123456789Z");
    PairedDevice q = new PairedDevice(p.deviceId(), p.publicKey(), p.roles(), p.approvedScopes(),
        new ClientInfo("cli", "cli", "linux", "", "Zo\u00eb's \ud83d\ude00 \ud800 laptop", "1\n2"),
        "\u00e9\t\"q\"\\", p.tokens(), nanos, nanos.plusNanos(1), Instant.parse("-1000000-01-01T00:00:00Z"),
        p.approvedVia(), p.remoteAddress(), p.browserOrigin(), p.lastSeenReason(), true);
    DeviceRecord r = new DeviceRecord(base.deviceId(), 9, q, base.pending(), true, base.resolved());
    String doc = RecordJson.encode(r);
    assertTrue(doc.chars().allMatch(c -> c == '\n' || (c >= 0x20 && c < 0x7f)), doc);
    assertTrue(doc.contains("\"2024-02-29T23:59:59.123456789Z\""), doc);
    assertTrue(doc.contains("\"legacyMetadata\": true"), doc);
    assertEquals(r, RecordJson.decode(doc.getBytes(StandardCharsets.US_ASCII)));
  }

  private static String refusal(UnaryOperator<String> damage) {
    byte[] bytes = damage.apply(RecordJson.encode(full())).getBytes(StandardCharsets.UTF_8);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RecordJson.decode(bytes));
    assertTrue(e instanceof JsonException || e instanceof RecordJson.Invalid, e.toString());
    assertFalse(e.getMessage().contains(RecordJsonFuzzTest.SECRET.substring(0, 12)),
        e.getMessage());
    return e.getMessage();
  }

  @Test
  void damagedDocumentsAreTypedErrorsNamingThePath() {
    assertEquals("paired.approvedAt: required field is missing",
        refusal(s -> s.replaceFirst("\"approvedAt\": \"[^\"]+\",", "")));
    assertTrue(refusal(s -> s.replace("\"label\":", "\"colour\": 1, \"label\":"))
        .startsWith("paired.colour: unknown field"));
    assertTrue(refusal(s -> s.replace("\"version\": 7", "\"version\": 1e771200000000"))
        .startsWith("not valid JSON: a number out of range"));
    assertTrue(refusal(s -> s.replace("\"version\": 7", "\"version\": 7.5"))
        .startsWith("version: expected an integer, found a number"));
    assertTrue(refusal(s -> s.replaceFirst("\"createdAt\": \"[^\"]+\"",
        "\"createdAt\": \"+999999999999-01-01T00:00:00Z\""))
        .contains("not an ISO-8601 UTC instant (or out of range)"));
    assertTrue(refusal(s -> s.replaceFirst("\"createdAt\": \"[^\"]+\"", "\"createdAt\": 1700000000000"))
        .contains("expected an ISO-8601 UTC instant (a string), found a number"));
    assertTrue(refusal(s -> s.replaceFirst("\"createdAt\": \"[^\"]+\"",
        "\"createdAt\": \"2023-11-14T23:13:20+01:00\"")).contains("not an ISO-8601 UTC instant"));
    assertTrue(refusal(s -> s.replace("\"blocked\": false,", "\"blocked\": false, \"blocked\": true,"))
        .startsWith("not valid JSON: duplicate field \"blocked\""));
    assertTrue(refusal(s -> s.replace("\"formatVersion\": 3", "\"formatVersion\": 2"))
        .startsWith("formatVersion: expected 3, found 2"));
    String m = refusal(s -> s.replaceFirst("\"hash\": \"[^\"]+\"", "\"hash\": \""
        + RecordJsonFuzzTest.SECRET + "\""));
    assertTrue(m.startsWith("paired.tokens."), m);
    m = refusal(s -> s.replaceFirst("\"hash\": \"[^\"]+\"", "\"hash\": "
        + RecordJsonFuzzTest.SECRET));
    assertTrue(m.startsWith("not valid JSON: unexpected"), m);
    assertTrue(refusal(s -> s.substring(0, s.length() / 2)).startsWith("truncated: "));
  }
}
