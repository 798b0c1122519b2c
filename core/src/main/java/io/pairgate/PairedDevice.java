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
 * @param browserOrigin the browser {@code Origin} header of the approved request, or empty when
 *     the client sent none (not authenticated; shown to operators)
 * @param lastSeenReason why {@link #lastSeenAt()} was last set, or empty when never seen:
 *     {@code "connect"} for an allowed connect (OpenClaw 2026.9 keeps the same word)
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
    String browserOrigin,
    String lastSeenReason,
    boolean legacyMetadata) {

  /** What {@link #lastSeenReason()} says after an allowed connect. */
  public static final String SEEN_ON_CONNECT = "connect";

  /** The roles list of the common one-role device, shared by every such device. */
  private static final List<Role> ONLY_OPERATOR = List.of(Role.OPERATOR);

  /**
   * Sorts roles and tokens. To keep a large fleet small, the common shapes are stored compactly
   * (one shared list for {@code [operator]}, a one-entry map for a single token) and the client
   * details are shared between devices that send the same ones ({@link ClientInfo#shared()}).
   */
  public PairedDevice {
    if (roles.size() == 1 && roles.get(0).equals(Role.OPERATOR)) {
      roles = ONLY_OPERATOR;
    } else {
      roles = List.copyOf(new TreeSet<>(roles));
    }
    if (tokens.isEmpty()) {
      tokens = Map.of();
    } else if (tokens.size() == 1) {
      Map.Entry<Role, DeviceToken> e = tokens.entrySet().iterator().next();
      tokens = Map.of(e.getKey(), e.getValue()); // (one entry: sorted by definition)
    } else {
      SortedMap<Role, DeviceToken> sorted = new TreeMap<>(tokens);
      tokens = Collections.unmodifiableSortedMap(sorted);
    }
    client = client.shared();
  }

  /** A device whose metadata is pinned ({@code legacyMetadata} false): what every approval makes. */
  public PairedDevice(
      DeviceId deviceId, DevicePublicKey publicKey, List<Role> roles, ScopeSet approvedScopes,
      ClientInfo client, String label, Map<Role, DeviceToken> tokens, Instant createdAt,
      Instant approvedAt, @Nullable Instant lastSeenAt, String approvedVia, String remoteAddress) {
    this(deviceId, publicKey, roles, approvedScopes, client, label, tokens, createdAt, approvedAt,
        lastSeenAt, approvedVia, remoteAddress, "", lastSeenAt == null ? "" : SEEN_ON_CONNECT,
        false);
  }

  /**
   * A device without a browser origin, with the given {@code legacyMetadata} mark;
   * {@link #lastSeenReason()} is {@code "connect"} when {@code lastSeenAt} is set, else empty.
   */
  public PairedDevice(
      DeviceId deviceId, DevicePublicKey publicKey, List<Role> roles, ScopeSet approvedScopes,
      ClientInfo client, String label, Map<Role, DeviceToken> tokens, Instant createdAt,
      Instant approvedAt, @Nullable Instant lastSeenAt, String approvedVia, String remoteAddress,
      boolean legacyMetadata) {
    this(deviceId, publicKey, roles, approvedScopes, client, label, tokens, createdAt,
        approvedAt, lastSeenAt, approvedVia, remoteAddress, "",
        lastSeenAt == null ? "" : SEEN_ON_CONNECT, legacyMetadata);
  }

  /** A pinned device ({@code legacyMetadata} false) with its browser origin and last-seen reason. */
  public PairedDevice(
      DeviceId deviceId, DevicePublicKey publicKey, List<Role> roles, ScopeSet approvedScopes,
      ClientInfo client, String label, Map<Role, DeviceToken> tokens, Instant createdAt,
      Instant approvedAt, @Nullable Instant lastSeenAt, String approvedVia, String remoteAddress,
      String browserOrigin, String lastSeenReason) {
    this(deviceId, publicKey, roles, approvedScopes, client, label, tokens, createdAt,
        approvedAt, lastSeenAt, approvedVia, remoteAddress, browserOrigin, lastSeenReason, false);
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
        lastSeenAt, approvedVia, remoteAddress, browserOrigin, lastSeenReason);
  }

  /** A copy with {@code tokens} replaced. */
  public PairedDevice withTokens(Map<Role, DeviceToken> newTokens) {
    return new PairedDevice(
        deviceId, publicKey, roles, approvedScopes, client, label, newTokens, createdAt,
        approvedAt, lastSeenAt, approvedVia, remoteAddress, browserOrigin, lastSeenReason,
        legacyMetadata);
  }

  /**
   * A copy with the platform and device family of {@code incoming} pinned and
   * {@code legacyMetadata} cleared (a tolerated change or a backfill, R4.7).
   */
  public PairedDevice withPinnedMetadata(ClientInfo incoming) {
    return new PairedDevice(
        deviceId, publicKey, roles, approvedScopes,
        client.withPlatform(incoming.platform()).withDeviceFamily(incoming.deviceFamily()), label,
        tokens, createdAt, approvedAt, lastSeenAt, approvedVia, remoteAddress, browserOrigin,
        lastSeenReason, false);
  }

  /** A copy with {@code legacyMetadata} set (for importers of records from before pinning). */
  public PairedDevice withLegacyMetadata(boolean legacy) {
    return new PairedDevice(
        deviceId, publicKey, roles, approvedScopes, client, label, tokens, createdAt,
        approvedAt, lastSeenAt, approvedVia, remoteAddress, browserOrigin, lastSeenReason, legacy);
  }

  /** A copy with {@code client} replaced. */
  public PairedDevice withClient(ClientInfo newClient) {
    return new PairedDevice(
        deviceId, publicKey, roles, approvedScopes, newClient, label, tokens, createdAt,
        approvedAt, lastSeenAt, approvedVia, remoteAddress, browserOrigin, lastSeenReason,
        legacyMetadata);
  }

  /** A copy with {@code label} replaced. */
  public PairedDevice withLabel(String newLabel) {
    return new PairedDevice(
        deviceId, publicKey, roles, approvedScopes, client, newLabel, tokens, createdAt,
        approvedAt, lastSeenAt, approvedVia, remoteAddress, browserOrigin, lastSeenReason,
        legacyMetadata);
  }

  /** A copy seen at {@code at} on an allowed connect ({@link #lastSeenReason()} "connect"). */
  public PairedDevice withLastSeenAt(Instant at) {
    return withLastSeen(at, SEEN_ON_CONNECT);
  }

  /** A copy with {@code lastSeenAt} and {@code lastSeenReason} replaced. */
  public PairedDevice withLastSeen(Instant at, String reason) {
    return new PairedDevice(
        deviceId, publicKey, roles, approvedScopes, client, label, tokens, createdAt,
        approvedAt, at, approvedVia, remoteAddress, browserOrigin, reason,
        legacyMetadata);
  }

  /** A copy with {@code browserOrigin} replaced. */
  public PairedDevice withBrowserOrigin(String origin) {
    return new PairedDevice(
        deviceId, publicKey, roles, approvedScopes, client, label, tokens, createdAt,
        approvedAt, lastSeenAt, approvedVia, remoteAddress, origin, lastSeenReason,
        legacyMetadata);
  }

  @Override
  public String toString() {
    return "PairedDevice[deviceId=" + deviceId + ", roles=" + roles + ", approvedScopes="
        + approvedScopes + ", tokens=" + tokens.values() + ", approvedVia=" + approvedVia
        + (browserOrigin.isEmpty() ? "" : ", browserOrigin=" + browserOrigin) + "]";
  }
}
