package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProofTest {
  private static final DeviceKeyPair VECTOR_KEY = DeviceKeyPair.fromSeed(HexFormat.of().parseHex(
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));

  @Test
  void v2PayloadMatchesPublishedVector() {
    assertEquals("v2|dev-1|openclaw-macos|ui|operator|operator.admin,operator.read|1700000000000||nonce-abc",
        ProofPayload.v2("dev-1", "openclaw-macos", "ui", "operator",
            List.of("operator.admin", "operator.read"), 1700000000000L, "", "nonce-abc"));
  }

  @Test
  void v3PayloadMatchesPublishedVector() {
    assertEquals(
        "v3|dev-1|openclaw-macos|ui|operator|operator.admin,operator.read|1700000000000|tok-123|nonce-abc|ios|iphone",
        ProofPayload.v3("dev-1", "openclaw-macos", "ui", "operator",
            List.of("operator.admin", "operator.read"), 1700000000000L, "tok-123", "nonce-abc",
            " iOS ", "iPhone"));
  }

  @Test
  void v3PayloadKeepsEmptyMetadataSlots() {
    assertEquals("v3|dev-2|openclaw-ios|ui|operator|operator.read|1700000000001||nonce-def||",
        ProofPayload.v3("dev-2", "openclaw-ios", "ui", "operator", List.of("operator.read"),
            1700000000001L, "", "nonce-def", "", ""));
  }

  @Test
  void v3NormalizationLowercasesAsciiOnly() {
    assertEquals("İos", ClientInfo.normalizeMetadata("  İOS  "));
    assertEquals("mac", ClientInfo.normalizeMetadata("  MAC  "));
  }

  @Test
  void scopesAreSignedInTheOrderSent() {
    String a = ProofPayload.v2("d", "c", "m", "operator", List.of("operator.read", "operator.admin"), 1, "", "n");
    String b = ProofPayload.v2("d", "c", "m", "operator", List.of("operator.admin", "operator.read"), 1, "", "n");
    assertTrue(!a.equals(b));
  }

  @Test
  void signatureOfV3VectorMatchesPublishedValue() {
    String payload = "v3|dev-1|openclaw-macos|ui|operator|operator.admin,operator.read|1700000000000|tok-123|nonce-abc|ios|iphone";
    assertEquals(
        "oXiBGqi69NStb3SeNeaa6yoMHM7WAVWdQYf5qGzx_9oaE1hLugnZ_tFXXdtt532uPlLVJzFKyZmLDMNuxz5WDA",
        VECTOR_KEY.sign(payload));
  }

  @Test
  void bouncyCastleSignatureVerifiesWithTheJdksOwnEd25519() throws Exception {
    String payload = "v3|" + VECTOR_KEY.deviceId() + "|cli|cli|operator|operator.read|1|tok|n|linux|";
    byte[] sig = Base64.getUrlDecoder().decode(VECTOR_KEY.sign(payload));
    byte[] spki = Base64.getDecoder().decode(VECTOR_KEY.publicKey().pem()
        .replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "").strip());
    PublicKey jdkKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    Signature v = Signature.getInstance("Ed25519");
    v.initVerify(jdkKey);
    v.update(payload.getBytes(StandardCharsets.UTF_8));
    assertTrue(v.verify(sig));
    // and the other direction: a JDK signature verifies in the service
    Fixture f = new Fixture();
    java.security.KeyPair jdkPair = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] jdkSpki = jdkPair.getPublic().getEncoded();
    DevicePublicKey pk = DevicePublicKey.parse(Base64.getEncoder().encodeToString(jdkSpki));
    Challenge c = f.service.issueChallenge();
    long at = f.clock.millis();
    String p = ProofPayload.v3(pk.deviceId().value(), "cli", "cli", "operator", List.of(), at, "", c.nonce(), "linux", "");
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(jdkPair.getPrivate());
    s.update(p.getBytes(StandardCharsets.UTF_8));
    ConnectAttempt a = ConnectAttempt.builder().role(Role.OPERATOR).auth(AuthMethod.SHARED_TOKEN, "").device(pk.deviceId().value(), pk.pem())
        .client(Fixture.CLI).proof(Base64.getEncoder().encodeToString(s.sign()), at, c.nonce())
        .challenge(c).build();
    assertInstanceOf(ConnectResult.PairingRequired.class, f.service.connect(a));
  }

  // --- the checks, in order -------------------------------------------------------------------

  private final Fixture f = new Fixture();
  private final DeviceKeyPair key = Fixture.key("alice");

  private ConnectAttempt.Builder valid(Challenge c, long signedAt) {
    String payload = ProofPayload.v3(key.deviceId().value(), "cli", "cli", "operator",
        List.of("operator.read"), signedAt, "", c.nonce(), "linux", "");
    return ConnectAttempt.builder().role(Role.OPERATOR).auth(AuthMethod.SHARED_TOKEN, "").device(key.deviceId().value(), key.publicKey().base64Url())
        .scopes("operator.read").client(Fixture.CLI).proof(key.sign(payload), signedAt, c.nonce())
        .challenge(c);
  }

  private ErrorCode rejection(ConnectAttempt a) {
    return f.rejected(f.service.connect(a)).code();
  }

  @Test
  void validProofPasses() {
    Challenge c = f.service.issueChallenge();
    assertInstanceOf(ConnectResult.PairingRequired.class, f.service.connect(valid(c, f.clock.millis()).build()));
  }

  @Test
  void deviceIdMismatch() {
    Challenge c = f.service.issueChallenge();
    assertEquals(ErrorCode.DEVICE_ID_MISMATCH, rejection(valid(c, f.clock.millis())
        .device(Fixture.key("bob").deviceId().value(), key.publicKey().base64Url()).build()));
  }

  @Test
  void undecodableOrOffCurvePublicKeyIsPublicKeyInvalid() {
    Challenge c = f.service.issueChallenge();
    assertEquals(ErrorCode.PUBLIC_KEY_INVALID,
        rejection(valid(c, f.clock.millis()).device(key.deviceId().value(), "!!").build()));
    // 32 bytes that are not a valid Ed25519 point encoding (y >= p), with a matching device id
    byte[] bad = new byte[32];
    java.util.Arrays.fill(bad, (byte) 0xff);
    bad[31] = (byte) 0x7f;
    DevicePublicKey off = DevicePublicKey.ofRaw(bad);
    assertEquals(ErrorCode.PUBLIC_KEY_INVALID,
        rejection(valid(c, f.clock.millis()).device(off.deviceId().value(), off.base64Url()).build()));
  }

  @Test
  void signatureOutsideSkewIsExpiredBothWays() {
    // each attempt needs its own challenge: a rejected attempt used its nonce up (R1.4)
    long now = f.clock.millis();
    assertEquals(ErrorCode.SIGNATURE_EXPIRED,
        rejection(valid(f.service.issueChallenge(), now - 120_001).build()));
    assertEquals(ErrorCode.SIGNATURE_EXPIRED,
        rejection(valid(f.service.issueChallenge(), now + 120_001).build()));
    assertInstanceOf(ConnectResult.PairingRequired.class,
        f.service.connect(valid(f.service.issueChallenge(), now - 120_000).build()),
        "exactly at the skew is accepted");
  }

  @Test
  void skewIsConfigurable() {
    Fixture g = new Fixture(b -> b.signatureSkew(Duration.ofSeconds(10)));
    Challenge c = g.service.issueChallenge();
    long at = g.clock.millis() - 11_000;
    String payload = ProofPayload.v3(key.deviceId().value(), "cli", "cli", "operator",
        List.of(), at, "", c.nonce(), "linux", "");
    ConnectAttempt a = ConnectAttempt.builder().role(Role.OPERATOR).auth(AuthMethod.SHARED_TOKEN, "").device(key.deviceId().value(), key.publicKey().base64Url())
        .client(Fixture.CLI).proof(key.sign(payload), at, c.nonce()).challenge(c).build();
    assertEquals(ErrorCode.SIGNATURE_EXPIRED, g.rejected(g.service.connect(a)).code());
  }

  @Test
  void missingNonceIsNonceRequired() {
    Challenge c = f.service.issueChallenge();
    ConnectAttempt a = valid(c, f.clock.millis()).build();
    assertEquals(ErrorCode.NONCE_REQUIRED, rejection(ConnectAttempt.builder().role(Role.OPERATOR).auth(AuthMethod.SHARED_TOKEN, "")
        .device(a.deviceId(), a.publicKey()).scopes(a.scopes()).client(a.client())
        .proof(a.signature(), a.signedAtMs(), "").challenge(c).build()));
  }

  @Test
  void nonceOfAnotherChallengeIsNonceMismatch() {
    Challenge mine = f.service.issueChallenge();
    Challenge other = f.service.issueChallenge();
    assertEquals(ErrorCode.NONCE_MISMATCH,
        rejection(valid(other, f.clock.millis()).challenge(mine).build()));
  }

  @Test
  void challengeNotIssuedByTheServiceIsNonceMismatch() {
    Challenge forged = new Challenge("00000000-0000-4000-8000-000000000000", f.clock.instant());
    assertEquals(ErrorCode.NONCE_MISMATCH, rejection(valid(forged, f.clock.millis()).build()));
  }

  @Test
  void replayedNonceIsNonceMismatch() {
    Challenge c = f.service.issueChallenge();
    ConnectAttempt a = valid(c, f.clock.millis()).build();
    assertInstanceOf(ConnectResult.PairingRequired.class, f.service.connect(a));
    assertEquals(ErrorCode.NONCE_MISMATCH, rejection(a));
  }

  @Test
  void expiredChallengeIsNonceMismatch() {
    Challenge c = f.service.issueChallenge();
    f.advance(Duration.ofMinutes(5).plusMillis(1));
    assertEquals(ErrorCode.NONCE_MISMATCH, rejection(valid(c, f.clock.millis()).build()));
  }

  @Test
  void tamperedPayloadIsSignatureInvalid() {
    Challenge c = f.service.issueChallenge();
    ConnectAttempt a = valid(c, f.clock.millis()).scopes("operator.admin").build();
    assertEquals(ErrorCode.SIGNATURE_INVALID, rejection(a));
  }

  @Test
  void garbageSignatureIsSignatureInvalid() {
    Challenge c = f.service.issueChallenge();
    ConnectAttempt a = valid(c, f.clock.millis()).build();
    assertEquals(ErrorCode.SIGNATURE_INVALID, rejection(ConnectAttempt.builder().role(Role.OPERATOR).auth(AuthMethod.SHARED_TOKEN, "")
        .device(a.deviceId(), a.publicKey()).scopes(a.scopes()).client(a.client())
        .proof("%%%", a.signedAtMs(), a.nonce()).challenge(c).build()));
  }

  @Test
  void v2PayloadIsAcceptedAsFallback() {
    Challenge c = f.service.issueChallenge();
    long at = f.clock.millis();
    String v2 = ProofPayload.v2(key.deviceId().value(), "cli", "cli", "operator",
        List.of("operator.read"), at, "", c.nonce());
    ConnectAttempt a = valid(c, at).proof(key.sign(v2), at, c.nonce()).build();
    assertInstanceOf(ConnectResult.PairingRequired.class, f.service.connect(a));
  }

  @Test
  void aDeviceMaySwitchBetweenV2AndV3Payloads() {
    for (String version : java.util.List.of("v2", "v2", "v3", "v2", "v3", "v3")) {
      Challenge c = f.service.issueChallenge();
      long at = f.clock.millis();
      String payload = version.equals("v2")
          ? ProofPayload.v2(key.deviceId().value(), "cli", "cli", "operator", List.of("operator.read"), at, "", c.nonce())
          : ProofPayload.v3(key.deviceId().value(), "cli", "cli", "operator", List.of("operator.read"), at, "", c.nonce(), "linux", "");
      assertInstanceOf(ConnectResult.PairingRequired.class,
          f.service.connect(valid(c, at).proof(key.sign(payload), at, c.nonce()).build()), version);
    }
  }

  @Test
  void unusedChallengesExpireAndCannotBeUsedLater() {
    java.util.List<Challenge> issued = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      issued.add(f.service.issueChallenge());
    }
    f.advance(Duration.ofMinutes(6));
    for (Challenge c : issued.subList(0, 5)) {
      assertEquals(ErrorCode.NONCE_MISMATCH, rejection(valid(c, f.clock.millis()).build()));
    }
  }

  @Test
  void paddedStandardBase64SignatureIsAccepted() {
    Challenge c = f.service.issueChallenge();
    ConnectAttempt a = valid(c, f.clock.millis()).build();
    String std = Base64.getEncoder().encodeToString(Base64.getUrlDecoder().decode(a.signature()));
    assertInstanceOf(ConnectResult.PairingRequired.class, f.service.connect(ConnectAttempt.builder().role(Role.OPERATOR).auth(AuthMethod.SHARED_TOKEN, "")
        .device(a.deviceId(), a.publicKey()).scopes(a.scopes()).client(a.client())
        .proof(std, a.signedAtMs(), a.nonce()).challenge(c).build()));
  }

  @Test
  void idCheckComesBeforeSkewAndSkewBeforeNonce() {
    Challenge c = f.service.issueChallenge();
    long stale = f.clock.millis() - 600_000;
    assertEquals(ErrorCode.DEVICE_ID_MISMATCH, rejection(valid(c, stale)
        .device(Fixture.key("bob").deviceId().value(), key.publicKey().base64Url()).build()));
    ConnectAttempt a = valid(c, stale).build();
    assertEquals(ErrorCode.SIGNATURE_EXPIRED, rejection(ConnectAttempt.builder().role(Role.OPERATOR).auth(AuthMethod.SHARED_TOKEN, "")
        .device(a.deviceId(), a.publicKey()).client(a.client()).proof(a.signature(), stale, "")
        .challenge(c).build()));
  }
}
