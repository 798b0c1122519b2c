package io.pairgate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * An approved device. {@link #roles()} and {@link #approvedScopes()} form the approval
 * <em>baseline</em>: only an approval grows it, and nothing ever shrinks it short of removing the
 * device. Tokens may be narrower than the baseline but never wider.
 *
 * @param deviceId the device
 * @param publicKey its Ed25519 key
 * @param roles approved roles (sorted)
 * @param approvedScopes the approved scope baseline
 * @param client the client details from the last approval; its platform and device family are
 *     pinned
 * @param label an operator-chosen name, or empty
 * @param tokens one token per role, keyed by role (sorted)
 * @param createdAt first approval
 * @param approvedAt latest approval
 * @param lastSeenAt latest allowed connect, if known (best effort, may lag)
 * @param approvedVia how the latest approval happened: {@code "operator"}, {@code "silent"},
 *     {@code "standing"}, {@code "pairing-disabled"}, {@code "import"}
 * @param remoteAddress the client address at the latest approval, or empty
 * @param legacyMetadata true only for a record written before metadata pinning existed (an
 *     OpenClaw record without roles and scopes, imported): its empty platform or device family is
 *     filled in by the next connect instead of being compared (R4.7). Every other record pins
 *     what its approval saw, an empty value included. Cleared by that backfill and by approval.
 */
public record PairedDevice(
    DeviceId deviceId,
    DevicePublicKey publicKey,
    List<Role> roles,
    ScopeSet approvedScopes,
    ClientInfo client,
    String label,
    Map<Role, DeviceToken> tokens,
    Instant createdAt,
    Instant approvedAt,
    @Nullable Instant lastSeenAt,
    String approvedVia,
    String remoteAddress,
    boolean legacyMetadata) {

  /** Sorts roles and tokens. */
  public PairedDevice {
    roles = List.copyOf(new TreeSet<>(roles));
    SortedMap<Role, DeviceToken> sorted = new TreeMap<>(tokens);
    tokens = Collections.unmodifiableSortedMap(sorted);
  }

  /** A device whose metadata is pinned ({@code legacyMetadata} false): what every approval makes. */
  public PairedDevice(
      DeviceId deviceId, DevicePublicKey publicKey, List<Role> roles, ScopeSet approvedScopes,
      ClientInfo client, String label, Map<Role, DeviceToken> tokens, Instant createdAt,
      Instant approvedAt, @Nullable Instant lastSeenAt, String approvedVia, String remoteAddress) {
    this(deviceId, publicKey, roles, approvedScopes, client, label, tokens, createdAt, approvedAt,
        lastSeenAt, approvedVia, remoteAddress, false);
  }

  /**
   * The roles this device may connect as now: approved roles that hold a non-revoked token. A
   * record without any token (imported from an old store) falls back to every approved role.
   */
  public List<Role> effectiveRoles() {
    if (tokens.isEmpty()) {
      return roles;
    }
    List<Role> out = new ArrayList<>(roles.size());
    for (Role r : roles) {
      DeviceToken t = tokens.get(r);
      if (t != null && !t.isRevoked()) {
        out.add(r);
      }
    }
    return out;
  }

  /** The token for {@code role}, if any (possibly revoked). */
  public @Nullable DeviceToken token(Role role) {
    return tokens.get(role);
  }

  /** The device without token secrets, for listings. */
  public PairedDeviceSummary summary() {
    List<TokenSummary> ts = new ArrayList<>(tokens.size());
    for (DeviceToken t : tokens.values()) {
      ts.add(t.summary());
    }
    return new PairedDeviceSummary(
        deviceId, publicKey, roles, approvedScopes, client, label, ts, createdAt, approvedAt,
        lastSeenAt, approvedVia, remoteAddress);
  }

  /** A copy with {@code tokens} replaced. */
  public PairedDevice withTokens(Map<Role, DeviceToken> newTokens) {
    return new PairedDevice(
        deviceId, publicKey, roles, approvedScopes, client, label, newTokens, createdAt,
        approvedAt, lastSeenAt, approvedVia, remoteAddress, legacyMetadata);
  }

  /**
   * A copy with the platform and device family of {@code incoming} pinned and
   * {@code legacyMetadata} cleared (a tolerated change or a backfill, R4.7).
   */
  public PairedDevice withPinnedMetadata(ClientInfo incoming) {
    return new PairedDevice(
        deviceId, publicKey, roles, approvedScopes,
        client.withPlatform(incoming.platform()).withDeviceFamily(incoming.deviceFamily()), label,
        tokens, createdAt, approvedAt, lastSeenAt, approvedVia, remoteAddress, false);
  }

  /** A copy with {@code legacyMetadata} set (for importers of records from before pinning). */
  public PairedDevice withLegacyMetadata(boolean legacy) {
    return new PairedDevice(
        deviceId, publicKey, roles, approvedScopes, client, label, tokens, createdAt,
        approvedAt, lastSeenAt, approvedVia, remoteAddress, legacy);
  }

  /** A copy with {@code client} replaced. */
  public PairedDevice withClient(ClientInfo newClient) {
    return new PairedDevice(
        deviceId, publicKey, roles, approvedScopes, newClient, label, tokens, createdAt,
        approvedAt, lastSeenAt, approvedVia, remoteAddress, legacyMetadata);
  }

  /** A copy with {@code label} replaced. */
  public PairedDevice withLabel(String newLabel) {
    return new PairedDevice(
        deviceId, publicKey, roles, approvedScopes, client, newLabel, tokens, createdAt,
        approvedAt, lastSeenAt, approvedVia, remoteAddress, legacyMetadata);
  }

  /** A copy with {@code lastSeenAt} replaced. */
  public PairedDevice withLastSeenAt(Instant at) {
    return new PairedDevice(
        deviceId, publicKey, roles, approvedScopes, client, label, tokens, createdAt,
        approvedAt, at, approvedVia, remoteAddress, legacyMetadata);
  }

  @Override
  public String toString() {
    return "PairedDevice[deviceId=" + deviceId + ", roles=" + roles + ", approvedScopes="
        + approvedScopes + ", tokens=" + tokens.values() + ", approvedVia=" + approvedVia + "]";
  }
}
