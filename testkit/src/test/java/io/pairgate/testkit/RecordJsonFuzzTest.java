package io.pairgate.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pairgate.internal.json.JsonException;
import io.pairgate.internal.json.JsonReader;
import io.pairgate.internal.json.RecordJson;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.testsupport.FuzzText;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes core's one JSON reader ({@link JsonReader}) and the shared record codec
 * ({@link RecordJson}) that both stores use, seeded with record documents and the inputs that broke
 * the older parsers (huge exponents, deep nesting, duplicate keys, secrets where names belong).
 * {@code SECRET} in an input becomes a 43-character token secret first. Every input is either a
 * record that re-encodes canonically to an equal record, or a {@link JsonException} /
 * {@link RecordJson.Invalid} (which the stores report as {@code store-corrupt}) whose text is
 * printable, bounded and never quotes the secret. No other throwable (no stack overflow, no
 * arithmetic, index or cast error) may escape.
 */
class RecordJsonFuzzTest {
  static final String SECRET = "Kq7ZpX2mW9vL4tR8nJ3hB6sD1fG5aC0eU9yI2oQ4wE0";

  @FuzzTest(maxDuration = "10m")
  void decode(byte[] data) {
    byte[] bytes = FuzzText.replace(data, "SECRET", SECRET);
    DeviceRecord r;
    try {
      r = RecordJson.decode(bytes);
    } catch (JsonException | RecordJson.Invalid e) {
      String message = String.valueOf(e.getMessage());
      FuzzText.assertNoEcho(message, SECRET);
      FuzzText.assertSafeText(message, 600);
      return;
    } catch (RuntimeException | StackOverflowError e) {
      fail("decoding a record document threw " + e, e);
      return;
    }
    String enc = RecordJson.encode(r);
    DeviceRecord back = RecordJson.decode(enc.getBytes(StandardCharsets.US_ASCII));
    assertEquals(r, back, "re-encoded record reads back equal");
    assertEquals(enc, RecordJson.encode(back), "encoding is canonical");
  }
}
