package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pairgate.testsupport.FuzzText;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes {@link DevicePublicKey#parse}: every input is either a key that survives every encoding
 * round trip, or a {@link PairgateException} with {@link ErrorCode#PUBLIC_KEY_INVALID} whose text
 * does not quote the input. Seeds: {@code src/test/resources/io/pairgate/PublicKeyFuzzTestInputs}.
 */
class PublicKeyFuzzTest {

  @FuzzTest(maxDuration = "10m")
  void parse(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    DevicePublicKey key;
    try {
      key = DevicePublicKey.parse(text);
    } catch (PairgateException e) {
      assertEquals(ErrorCode.PUBLIC_KEY_INVALID, e.code(), e::getMessage);
      FuzzText.assertNoEcho(e.getMessage(), text);
      FuzzText.assertSafeText(e.getMessage(), 200);
      return;
    }
    byte[] raw = key.rawBytes();
    assertEquals(32, raw.length);
    String canonical = key.base64Url();
    assertEquals(43, canonical.length());
    // every form the key can be written in reads back as the same key
    assertEquals(key, DevicePublicKey.parse(canonical));
    assertEquals(key, DevicePublicKey.parse(key.pem()));
    assertEquals(key, DevicePublicKey.ofRaw(raw));
    assertEquals(key, DevicePublicKey.parse(
        java.util.Base64.getEncoder().encodeToString(raw)));
    assertEquals(key.hashCode(), DevicePublicKey.parse(canonical).hashCode());
    assertEquals(canonical, key.toString());
    // the id is a pure function of the raw bytes
    assertEquals(DeviceId.of(DevicePublicKey.ofRaw(raw)), key.deviceId());
    assertArrayEquals(raw, DevicePublicKey.parse(canonical).rawBytes());
  }
}
