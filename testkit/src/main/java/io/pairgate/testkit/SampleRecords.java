package io.pairgate.testkit;

import io.pairgate.RequestId;
import io.pairgate.ClientInfo;
import io.pairgate.DeviceId;
import io.pairgate.DeviceKeyPair;
import io.pairgate.DeviceToken;
import io.pairgate.TokenHash;
import io.pairgate.PairedDevice;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.UpgradeReason;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.ResolvedRequest;
import io.pairgate.spi.ResolvedRequest.Resolution;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Realistic {@link DeviceRecord}s for store tests: real Ed25519 keys, real device ids, tokens of
 * the right shape, and every optional field exercised. All instants are whole milliseconds, so a
 * store that keeps epoch milliseconds round-trips them exactly.
 *
 * <p>Store authors can use these in their own format-specific tests (for example to check that a
 * record survives serialization with every field intact).
 */
public final class SampleRecords {
  /** The base instant of every sample: 1 700 000 000 000 ms after the epoch. */
  public static final Instant T0 = Instant.ofEpochMilli(1_700_000_000_000L);

  private SampleRecords() {}

  /**
   * The key pair whose 32-byte Ed25519 seed is SHA-256 of the UTF-8 bytes of {@code seed}. This is
   * also how scenario vectors derive device keys from their {@code "seed"} strings.
   */
  public static DeviceKeyPair keyPair(String seed) {
    return DeviceKeyPair.fromSeed(sha256(seed.getBytes(StandardCharsets.UTF_8)));
  }

  /** The device id of {@link #keyPair(String) keyPair(seed)}. */
  public static DeviceId deviceId(String seed) {
    return keyPair(seed).deviceId();
  }

  /**
   * A deterministic request id in UUID form, distinct for distinct {@code name}s (a name-based
   * UUID, so it looks like the ids a service mints).
   */
  public static RequestId requestId(String name) {
    return new RequestId(UUID.nameUUIDFromBytes(
        ("pairgate-request:" + name).getBytes(StandardCharsets.UTF_8)).toString());
  }

  /** A deterministic 43-character base64url token secret, distinct for distinct {@code name}s. */
  public static String tokenSecret(String name) {
    return java.util.Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(sha256(("pairgate-token:" + name).getBytes(StandardCharsets.UTF_8)));
  }

  /** The stored form of {@link #tokenSecret(String) tokenSecret(name)}. */
  public static TokenHash tokenHash(String name) {
    return TokenHash.of(tokenSecret(name));
  }

  /** {@link #T0} plus {@code ms} milliseconds. */
  public static Instant at(long ms) {
    return T0.plusMillis(ms);
  }

  /**
   * A device paired as {@code operator} with the given approved scopes and a token granting them,
   * with {@code label} as its operator label.
   */
  public static PairedDevice pairedDevice(DeviceKeyPair key, String label, String... scopes) {
    ScopeSet s = ScopeSet.of(scopes);
    DeviceToken token =
        new DeviceToken(Role.OPERATOR, s, tokenHash(key.deviceId() + "/operator"), at(0), null,
            null, null);
    return new PairedDevice(
        key.deviceId(), key.publicKey(), List.of(Role.OPERATOR), s,
        ClientInfo.of("cli", "cli", "linux"), label, Map.of(Role.OPERATOR, token), at(0), at(0),
        null, "operator", "203.0.113.7");
  }

  /** A pending {@code not-paired} request of {@code key} for {@code operator} with these scopes. */
  public static PendingRequest pendingRequest(DeviceKeyPair key, RequestId requestId, String... scopes) {
    return new PendingRequest(
        requestId, key.deviceId(), key.publicKey(), Role.OPERATOR, List.of(Role.OPERATOR),
        ScopeSet.of(scopes), ClientInfo.of("cli", "cli", "linux"), "203.0.113.7", at(1_000),
        at(1_000), at(301_000), false, UpgradeReason.NOT_PAIRED);
  }

  /**
   * A record holding only a pending request with id {@code requestId} from client address
   * {@code remoteAddress} that expires at {@code expiresAt}.
   */
  public static DeviceRecord pendingFrom(
      DeviceKeyPair key, long version, RequestId requestId, String remoteAddress, Instant expiresAt) {
    PendingRequest p = pendingRequest(key, requestId, "operator.read");
    PendingRequest q = new PendingRequest(p.requestId(), p.deviceId(), p.publicKey(), p.role(),
        p.roles(), p.scopes(), p.client(), remoteAddress, p.createdAt(), p.refreshedAt(),
        expiresAt, p.repair(), p.reason());
    return new DeviceRecord(key.deviceId(), version, null, q, false, List.of());
  }

  /** A record holding only a paired device (operator, {@code operator.read}) labelled {@code label}. */
  public static DeviceRecord paired(DeviceKeyPair key, long version, String label) {
    return new DeviceRecord(
        key.deviceId(), version, pairedDevice(key, label, "operator.read"), null, false, List.of());
  }

  /** A record holding only a pending request with id {@code requestId}. */
  public static DeviceRecord pending(DeviceKeyPair key, long version, RequestId requestId) {
    return new DeviceRecord(
        key.deviceId(), version, null, pendingRequest(key, requestId, "operator.read"), false,
        List.of());
  }

  /**
   * A record with every field populated: two roles with tokens (one rotated with a secret hash,
   * one revoked while it still awaited issue, so with no hash; both used), last-seen time and
   * reason, browser origins, a repair request for a scope upgrade from an iPhone with a non-ASCII
   * display name, tombstones of every {@link Resolution}, and the given {@code blocked} flag (also
   * used as the paired device's {@code legacyMetadata} flag, so that both values round-trip).
   * Request ids are derived from {@code tag}.
   */
  public static DeviceRecord full(DeviceKeyPair key, long version, String tag, boolean blocked) {
    DeviceId id = key.deviceId();
    ScopeSet baseline = ScopeSet.of("operator.read", "operator.write", "node.exec");
    DeviceToken op =
        new DeviceToken(Role.OPERATOR, ScopeSet.of("operator.read"), tokenHash(tag + "/op"),
            at(0), at(5_000), null, at(9_000));
    DeviceToken node =
        new DeviceToken(Role.NODE, ScopeSet.of("node.exec"), null /* awaited issue */, at(0),
            null, at(7_000), at(6_000));
    ClientInfo client =
        new ClientInfo("openclaw-ios", "ui", "iOS 18.1", "iPhone", "Zoë's phone ✓", "2026.7.1");
    PairedDevice paired = new PairedDevice(
        id, key.publicKey(), List.of(Role.NODE, Role.OPERATOR), baseline, client, "Kitchen «iPad»",
        Map.of(Role.OPERATOR, op, Role.NODE, node), at(0), at(4_000), at(9_000), "operator",
        "2001:db8::7", "https://control.example:8443", "connect", blocked);
    PendingRequest pending = new PendingRequest(
        requestId(tag + "/pending"), id, key.publicKey(), Role.OPERATOR,
        List.of(Role.OPERATOR, Role.NODE), ScopeSet.of("operator.admin", "node.exec"),
        client.withPlatform("iOS 18.2"), "198.51.100.23", at(10_000), at(12_000), at(312_000),
        true, UpgradeReason.SCOPE_UPGRADE, "http://127.0.0.1:18789");
    List<ResolvedRequest> resolved = List.of(
        new ResolvedRequest(requestId(tag + "/approved"), Resolution.APPROVED, null, at(4_000)),
        new ResolvedRequest(requestId(tag + "/rejected"), Resolution.REJECTED, null, at(4_500)),
        new ResolvedRequest(requestId(tag + "/expired"), Resolution.EXPIRED, null, at(8_000)),
        new ResolvedRequest(
            requestId(tag + "/superseded"), Resolution.SUPERSEDED, requestId(tag + "/pending"),
            at(10_000)));
    return new DeviceRecord(id, version, paired, pending, blocked, resolved);
  }

  /** {@code r} with another version and paired label (the record must hold a paired device). */
  public static DeviceRecord relabelled(DeviceRecord r, long version, String label) {
    PairedDevice p = r.paired();
    if (p == null) {
      throw new IllegalArgumentException("record of " + r.deviceId() + " holds no paired device");
    }
    return new DeviceRecord(
        r.deviceId(), version, p.withLabel(label), r.pending(), r.blocked(), r.resolved());
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
