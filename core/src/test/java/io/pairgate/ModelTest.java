package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelTest {
  private static final byte[] SEED_0_TO_31 = HexFormat.of().parseHex(
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

  @Test
  void swiftRawKeyVectorDerivesPublishedDeviceId() {
    DevicePublicKey key = DevicePublicKey.parse("A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=");
    assertEquals("56475aa75463474c0285df5dbf2bcab73da651358839e9b77481b2eab107708c",
        key.deviceId().value());
    assertEquals(key, DeviceKeyPair.fromSeed(SEED_0_TO_31).publicKey());
  }

  @Test
  void publicKeyFormsNormalizeToTheSameBase64Url() {
    DevicePublicKey raw = DeviceKeyPair.fromSeed(SEED_0_TO_31).publicKey();
    String url = raw.base64Url();
    assertEquals(43, url.length());
    assertEquals(raw, DevicePublicKey.parse(url));
    assertEquals(raw, DevicePublicKey.parse("A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="));
    assertEquals(raw, DevicePublicKey.parse(raw.pem()));
    assertEquals(url, DevicePublicKey.parse(raw.pem()).base64Url());
    assertTrue(raw.pem().contains("MCowBQYDK2VwAyEA"), "SPKI prefix in PEM");
  }

  @Test
  void malformedPublicKeysAreTypedErrors() {
    for (String bad : List.of("", "not base64!", "AAAA", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
        "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg_")) {
      PairgateException e = assertThrows(PairgateException.class, () -> DevicePublicKey.parse(bad), bad);
      assertEquals(ErrorCode.PUBLIC_KEY_INVALID, e.code(), bad);
    }
  }

  @Test
  void deviceIdMustBe64LowercaseHex() {
    assertThrows(PairgateException.class, () -> DeviceId.parse("ABC"));
    assertThrows(PairgateException.class, () -> DeviceId.parse("A".repeat(64)));
    assertEquals(ErrorCode.INVALID_ARGUMENT,
        assertThrows(PairgateException.class, () -> DeviceId.parse("g".repeat(64))).code());
    assertEquals("a".repeat(64), DeviceId.parse("a".repeat(64)).value());
  }

  @Test
  void rolesAreLowercaseNames() {
    assertEquals(Role.OPERATOR, Role.of("operator"));
    assertEquals("worker", Role.of("worker").name());
    assertThrows(PairgateException.class, () -> Role.of("Operator"));
    assertThrows(PairgateException.class, () -> Role.of(""));
  }

  @Test
  void scopeSetsAreSortedAndDeduplicated() {
    ScopeSet s = ScopeSet.of("operator.write", "operator.read", "operator.write");
    assertEquals(List.of("operator.read", "operator.write"), s.names());
    assertEquals(s, ScopeSet.of("operator.read", "operator.write"));
    assertTrue(s.contains("operator.read"));
    assertFalse(s.contains("operator.admin"));
    assertEquals(ScopeSet.of("operator.admin", "operator.read", "operator.write"),
        s.union(ScopeSet.of("operator.admin")));
    assertEquals(ScopeSet.of("operator.write"), s.minus(ScopeSet.of("operator.read")));
    assertEquals("operator.read,operator.write", s.toString());
  }

  @Test
  void malformedScopesAreInvalidScope() {
    for (String bad : List.of("", "a,b", "has space", ".lead", "x".repeat(129))) {
      assertEquals(ErrorCode.INVALID_SCOPE,
          assertThrows(PairgateException.class, () -> Scope.of(bad), bad).code());
    }
  }

  @Test
  void tokenToStringNeverShowsTheSecret() {
    DeviceToken t = new DeviceToken(Role.OPERATOR, ScopeSet.of("operator.read"),
        TokenHash.of("s3cr3t-value"), Instant.EPOCH, null, null, null);
    assertFalse(t.toString().contains("s3cr3t"));
    assertFalse(t.summary().toString().contains("s3cr3t"));
    assertTrue(t.matches("s3cr3t-value"));
    assertFalse(t.matches("s3cr3t-valuf"));
    assertFalse(t.matches("s3cr3t-välue"), "multibyte input is a mismatch, not an exception");
    assertFalse(t.matches(""));
  }

  @Test
  void keyPairToStringNeverShowsTheSeed() {
    DeviceKeyPair k = DeviceKeyPair.fromSeed(SEED_0_TO_31);
    assertFalse(k.toString().contains("000102"));
    assertTrue(k.toString().contains(k.deviceId().value()));
  }

  @Test
  void errorCodesHaveKebabWireNames() {
    assertEquals("device-id-mismatch", ErrorCode.DEVICE_ID_MISMATCH.wireName());
    assertEquals(ErrorCode.SCOPE_OUTSIDE_BASELINE, ErrorCode.fromWireName("scope-outside-baseline"));
    assertEquals("metadata-upgrade", UpgradeReason.METADATA_UPGRADE.wireName());
  }
}
