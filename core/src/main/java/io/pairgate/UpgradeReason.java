package io.pairgate;

import java.util.Locale;

/** Why a connect needs an operator's approval. */
public enum UpgradeReason {
  /** The device (or this key) has never been approved. */
  NOT_PAIRED("device is not approved yet", "Approve this device from the pending pairing requests."),
  /** The device asks for a role it is not approved for, or whose token was revoked. */
  ROLE_UPGRADE(
      "device is asking for a higher role than currently approved",
      "Review the requested role upgrade, then approve the pending request."),
  /** The device asks for scopes its approved baseline does not imply. */
  SCOPE_UPGRADE(
      "device is asking for more scopes than currently approved",
      "Review the requested scopes, then approve the pending upgrade."),
  /** The device's pinned platform or device family changed. */
  METADATA_UPGRADE(
      "device identity changed and must be re-approved",
      "Review the refreshed device details, then approve the pending request.");

  private final String requirement;
  private final String remediationHint;

  UpgradeReason(String requirement, String remediationHint) {
    this.requirement = requirement;
    this.remediationHint = remediationHint;
  }

  /** The kebab-case name used on the wire and in logs, e.g. {@code scope-upgrade}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The sentence after {@code "pairing required: "} in the message. */
  public String requirement() {
    return requirement;
  }

  /** What an operator should do. */
  public String remediationHint() {
    return remediationHint;
  }

  /**
   * Parses a {@link #wireName()} exactly (case-sensitive).
   *
   * @throws InvalidArgumentException for an unknown name
   */
  public static UpgradeReason fromWireName(String wireName) {
    for (UpgradeReason v : values()) {
      if (v.wireName().equals(wireName)) {
        return v;
      }
    }
    throw new InvalidArgumentException("unknown UpgradeReason wire name: " + DeviceId.abbreviate(wireName));
  }
}
