package io.pairgate.store.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pairgate.ErrorCode;
import io.pairgate.StoreException;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.testkit.SampleRecords;
import io.pairgate.testsupport.FuzzText;

/**
 * Fuzzes store-json's device-file reader: the full decoder ({@link RecordCodec#decode}) and the
 * streaming pass that opening a store makes over every file ({@link RecordCodec#summary}). Every
 * input is either a record, or a {@link StoreException} ({@code store-corrupt} or a format
 * error) whose text is printable, bounded and never quotes a token secret: the placeholder
 * {@code SECRET} in an input is replaced by a 43-character secret before parsing, and no
 * 12-character stretch of it may appear in the message. A record that decodes re-encodes to bytes
 * that decode to the same record and encode to the same bytes, and the streaming pass agrees with
 * it on id, version and request ids.
 */
class StoreJsonRecordFuzzTest {
  static final String SECRET = "Kq7ZpX2mW9vL4tR8nJ3hB6sD1fG5aC0eU9yI2oQ4wE0";
  static final String ID = SampleRecords.deviceId("fuzz").value();
  private static final String FILE = "devices/" + ID + ".json";

  @FuzzTest(maxDuration = "10m")
  void decodeDeviceFile(byte[] data) {
    byte[] in = FuzzText.replace(data, "SECRET", SECRET);
    Json.DeviceSummary summary = null;
    try {
      summary = RecordCodec.summary(in, FILE, ID);
    } catch (StoreException e) {
      checkRefusal(e);
    }
    DeviceRecord r;
    try {
      r = RecordCodec.decode(in, FILE, null);
    } catch (StoreException e) {
      checkRefusal(e);
      return;
    }
    byte[] enc = RecordCodec.encode(r);
    DeviceRecord back = RecordCodec.decode(enc, FILE, r.deviceId().value());
    assertEquals(r, back, "re-encoded record reads back equal");
    assertArrayEquals(enc, RecordCodec.encode(back), "encoding is canonical");
    Json.DeviceSummary s = RecordCodec.summary(enc, FILE, r.deviceId().value());
    assertEquals(r.deviceId().value(), s.deviceId());
    assertEquals(r.version(), s.version());
    if (summary != null) {
      // what opening the store saw in the original bytes is what the full read found
      assertEquals(r.version(), summary.version());
      assertEquals(s.requestIds(), summary.requestIds());
    }
  }

  static void checkRefusal(StoreException e) {
    assertTrue(e.code() == ErrorCode.STORE_CORRUPT || e.code() == ErrorCode.STORE_FAILURE,
        e::getMessage);
    assertTrue(e.getMessage().startsWith(FILE),
        () -> "the message names the file: " + e.getMessage());
    FuzzText.assertNoEcho(e.getMessage(), SECRET);
    // nor its causes: a logged stack trace prints their messages too (issue 14 item 11)
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      FuzzText.assertNoEcho(String.valueOf(c.getMessage()), SECRET);
    }
    FuzzText.assertSafeText(e.getMessage(), 600);
  }
}
