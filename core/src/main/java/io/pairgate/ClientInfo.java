package io.pairgate;

import java.util.Locale;

/**
 * What a client says about itself on connect. None of it is authenticated except through the
 * signature (v3 signs {@code platform} and {@code deviceFamily}); {@code platform} and
 * {@code deviceFamily} are pinned at approval, and a different value later requires re-approval
 * ({@link UpgradeReason#METADATA_UPGRADE}). Absent values are empty strings.
 *
 * @param clientId the client program, e.g. {@code cli}, {@code control-ui}, {@code openclaw-macos}
 * @param clientMode how it runs, e.g. {@code cli}, {@code ui}, {@code webchat}, {@code backend}
 * @param platform operating system as reported, e.g. {@code macOS 14.4}, {@code linux}
 * @param deviceFamily hardware family, e.g. {@code iphone}, {@code mac}
 * @param displayName a human label chosen by the client
 * @param version the client's version string
 */
public record ClientInfo(
    String clientId,
    String clientMode,
    String platform,
    String deviceFamily,
    String displayName,
    String version) {

  private static final ClientInfo UNKNOWN = new ClientInfo("", "", "", "", "", "");

  /** How many distinct client details {@link #shared()} keeps at most. */
  private static final int SHARED_MAX = 4096;

  private static final java.util.concurrent.ConcurrentHashMap<ClientInfo, ClientInfo> SHARED =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * An equal instance shared by every caller that asks with equal details, so a fleet of devices
   * running the same client holds one copy. The pool is bounded ({@value #SHARED_MAX} distinct
   * details); beyond it, this instance itself is returned. A memory saving only: equality and
   * every other behaviour are unchanged.
   */
  ClientInfo shared() {
    ClientInfo s = SHARED.get(this);
    if (s != null) {
      return s;
    }
    if (SHARED.size() >= SHARED_MAX) {
      return this;
    }
    s = SHARED.putIfAbsent(this, this);
    return s == null ? this : s;
  }

  /** A client with every field empty. */
  public static ClientInfo unknown() {
    return UNKNOWN;
  }

  /** A client with id, mode and platform set and the other fields empty. */
  public static ClientInfo of(String clientId, String clientMode, String platform) {
    return new ClientInfo(clientId, clientMode, platform, "", "", "");
  }

  /** A copy with {@code deviceFamily} replaced. */
  public ClientInfo withDeviceFamily(String deviceFamily) {
    return new ClientInfo(clientId, clientMode, platform, deviceFamily, displayName, version);
  }

  /** A copy with {@code displayName} replaced. */
  public ClientInfo withDisplayName(String displayName) {
    return new ClientInfo(clientId, clientMode, platform, deviceFamily, displayName, version);
  }

  /** A copy with {@code platform} replaced. */
  public ClientInfo withPlatform(String platform) {
    return new ClientInfo(clientId, clientMode, platform, deviceFamily, displayName, version);
  }

  /** {@link #platform()} trimmed and ASCII-lowercased, as the v3 payload signs it. */
  public String normalizedPlatform() {
    return normalizeMetadata(platform);
  }

  /** {@link #deviceFamily()} trimmed and ASCII-lowercased, as the v3 payload signs it. */
  public String normalizedDeviceFamily() {
    return normalizeMetadata(deviceFamily);
  }

  /**
   * Trims and lowercases ASCII {@code A–Z} only, exactly as OpenClaw's v3 payload does (so
   * {@code " İOS "} becomes {@code "İos"}).
   */
  public static String normalizeMetadata(String value) {
    String s = value.strip();
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        if (b == null) {
          b = new StringBuilder(s);
        }
        b.setCharAt(i, (char) (c + 32));
      }
    }
    return b == null ? s : b.toString();
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "ClientInfo[id=%s, mode=%s, platform=%s, deviceFamily=%s, displayName=%s, version=%s]",
        clientId, clientMode, platform, deviceFamily, displayName, version);
  }
}
