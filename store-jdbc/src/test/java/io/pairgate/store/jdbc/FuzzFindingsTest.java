package io.pairgate.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pairgate.DeviceKeyPair;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.testkit.SampleRecords;
import org.junit.jupiter.api.Test;

/** store-jdbc codec findings of the fuzz target (docs/security-fuzzing.md). */
class FuzzFindingsTest {
  private static final String SECRET = JdbcRecordCodecFuzzTest.SECRET;
  private static final DeviceKeyPair KEY = SampleRecords.keyPair("fuzz");

  private static void refused(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RecordCodec.decode(KEY.deviceId(), 1, text));
    assertFalse(e.getMessage().contains(SECRET.substring(0, 12)), e.getMessage());
    assertFalse(e.getMessage().chars().anyMatch(Character::isISOControl), e.getMessage());
  }

  @Test
  void deeplyNestedTextIsRefusedInsteadOfOverflowingTheStack() {
    refused("[".repeat(100_000));
    refused("{\"v\":" + "[".repeat(33) + "]".repeat(33) + "}");
  }

  @Test
  void storedValuesAreNotQuotedInDecodeErrors() {
    DeviceRecord r = SampleRecords.full(KEY, 1, "t", false);
    String good = RecordCodec.encode(r);
    refused(good.replaceFirst("\"approved\"", "\"" + SECRET + "\""));
    refused(good.replaceFirst("\"20[0-9-]*T[0-9:.]*Z\"", "\"" + SECRET + "\""));
    refused(good.replaceFirst("\"blocked\"", "\"" + SECRET + "\u001b\""));
    refused(good.substring(0, good.length() / 2) + SECRET);
    assertEquals(r, RecordCodec.decode(KEY.deviceId(), 1, good));
  }
}
