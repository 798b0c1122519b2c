package io.pairgate.policy;

import io.pairgate.AuthMethod;
import io.pairgate.UpgradeReason;

/**
 * The silent local approval rule (R11.2 of {@code docs/semantics.md}): whether a connect that
 * requires pairing is approved without an operator because it comes from the gateway's own host.
 * A pure function of its arguments, following OpenClaw's {@code shouldAllowSilentLocalPairing}
 * (from 2026-08-16), in this order:
 *
 * <ol>
 *   <li>a {@link Locality#REMOTE remote} connection: no;
 *   <li>a browser {@code Origin} on a client that is not a browser UI: no;
 *   <li>{@link UpgradeReason#METADATA_UPGRADE}: yes only for a non-browser client that is a
 *       {@link ClientKind#NATIVE_APP native app} on {@link Locality#DIRECT_LOCAL}, or on
 *       {@link Locality#CLI_CONTAINER_LOCAL} or {@link Locality#SHARED_SECRET_LOOPBACK_LOCAL}
 *       (this ignores {@code autoApproveLocal});
 *   <li>{@code autoApproveLocal} off: no;
 *   <li>{@link UpgradeReason#SCOPE_UPGRADE}: yes only with auth {@code none}, shared token or
 *       password (a device token, trusted proxy or Tailscale identity keeps the approved baseline
 *       as a durable cap);
 *   <li>otherwise ({@code not-paired}, {@code role-upgrade}): yes.
 * </ol>
 *
 * <p>The service applies it to every aspect of the request it would approve (R11.1) and never to a
 * role an operator revoked (R11.4).
 */
public final class SilentApproval {
  private SilentApproval() {}

  /**
   * Decides silent approval for one reason.
   *
   * @param locality the connection's locality
   * @param auth how the gateway authenticated the connection
   * @param reason why pairing is required
   * @param kind what sort of client it is
   * @param browserOrigin whether the connection carried an {@code Origin} header
   * @param autoApproveLocal the service's {@code autoApproveLocal} option
   */
  public static ApprovalVerdict decide(
      Locality locality, AuthMethod auth, UpgradeReason reason, ClientKind kind,
      boolean browserOrigin, boolean autoApproveLocal) {
    if (locality == Locality.REMOTE) {
      return ApprovalVerdict.no("the connection is remote");
    }
    if (browserOrigin && !kind.isBrowserUi()) {
      return ApprovalVerdict.no("a browser Origin on a " + kind.wireName()
          + " client keeps pairing explicit");
    }
    if (reason == UpgradeReason.METADATA_UPGRADE) {
      if (kind.isBrowserUi() || browserOrigin) {
        return ApprovalVerdict.no("metadata-upgrade of a browser client needs an operator");
      }
      boolean ok =
          (locality == Locality.DIRECT_LOCAL && kind == ClientKind.NATIVE_APP)
              || locality == Locality.CLI_CONTAINER_LOCAL
              || locality == Locality.SHARED_SECRET_LOOPBACK_LOCAL;
      return ok
          ? ApprovalVerdict.yes("metadata-upgrade of a " + kind.wireName() + " client on "
              + locality.wireName())
          : ApprovalVerdict.no("metadata-upgrade is silent only for native apps on direct_local, "
              + "cli_container_local and shared_secret_loopback_local; this is a "
              + kind.wireName() + " client on " + locality.wireName());
    }
    if (!autoApproveLocal) {
      return ApprovalVerdict.no("autoApproveLocal is off");
    }
    if (reason == UpgradeReason.SCOPE_UPGRADE) {
      boolean ok =
          auth == AuthMethod.NONE || auth == AuthMethod.SHARED_TOKEN || auth == AuthMethod.PASSWORD;
      return ok
          ? ApprovalVerdict.yes("scope-upgrade on " + locality.wireName() + " with "
              + auth.wireName() + " auth")
          : ApprovalVerdict.no("scope-upgrade with " + auth.wireName()
              + " auth keeps the approved baseline as a cap");
    }
    return ApprovalVerdict.yes(reason.wireName() + " on " + locality.wireName());
  }
}
