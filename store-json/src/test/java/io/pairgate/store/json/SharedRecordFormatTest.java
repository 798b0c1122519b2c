package io.pairgate.store.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.StoreCorruptException;
import io.pairgate.internal.json.RecordJson;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.testkit.SampleRecords;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Device files are core's shared record document (format 3), and the streaming scan at open reads
 * the same facts from it as from a formatVersion 2 file.
 */
class SharedRecordFormatTest {
  private static final DeviceRecord R = SampleRecords.full(SampleRecords.keyPair("shared"), 5, "s",
      false);
  private static final String ID = R.deviceId().value();

  @Test
  void aDeviceFileIsTheSharedRecordDocument() {
    byte[] file = RecordCodec.encode(R);
    assertArrayEquals(RecordJson.encodeBytes(R), file);
    assertEquals(R, RecordCodec.decode(file, "f", ID));
    assertEquals(R, RecordCodec.decode(LegacyDeviceFile.encode(R), "f", ID),
        "formatVersion 2 reads the same record");
  }

  @Test
  void theOpenScanReadsTheSameFactsFromBothFormats() {
    for (byte[] file : new byte[][] {RecordCodec.encode(R), LegacyDeviceFile.encode(R)}) {
      Json.DeviceSummary d = RecordCodec.summary(file, "f", ID);
      assertEquals(R.requestIds().stream().map(io.pairgate.RequestId::value).toList(),
          d.requestIds());
      assertEquals(R.pending().expiresAt(), d.pending().expiresAt());
      assertEquals(R.pending().remoteAddress(), d.pending().remoteAddress());
      assertEquals(R.version(), d.version());
    }
  }

  /** F18 in the new reader: a huge exponent is store-corrupt, "not valid JSON: a number out of range". */
  @Test
  void aHugeExponentInAFormat3FileIsStoreCorrupt() {
    String text = new String(RecordCodec.encode(R), StandardCharsets.US_ASCII)
        .replace("\"version\": 5", "\"version\": 1e771200000000");
    StoreCorruptException e = assertThrows(StoreCorruptException.class,
        () -> RecordCodec.decode(text.getBytes(StandardCharsets.US_ASCII), "f", null));
    assertTrue(e.getMessage().contains("not valid JSON: a number out of range"), e.getMessage());
  }
}
