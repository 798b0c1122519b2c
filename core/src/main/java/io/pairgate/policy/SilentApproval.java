package io.pairgate.policy;

import io.pairgate.AuthMethod;
import io.pairgate.UpgradeReason;

/**
 * The silent local approval rule (R11.2 of {@code docs/semantics.md}): whether a connect that
 * requires pairing is approved without an operator because it comes from the gateway's own host.
 * A pure function of its arguments, in this order:
 *
 * <ol>
 *   <li>a {@link Locality#REMOTE remote} connection: no;
 *   <li>{@link Locality#PROXIED_LOCAL} unless every proxy hop is a configured same-host proxy: no;
 *   <li>no verified credential: no. Only the gateway's shared token or password count (and, for
 *       a {@link UpgradeReason#METADATA_UPGRADE metadata upgrade}, the device's own valid device
 *       token); {@link AuthMethod#NONE} never does;
 *   <li>{@link UpgradeReason#METADATA_UPGRADE}: yes iff the connect carries no browser
 *       {@code Origin} (this ignores {@code autoApproveLocal});
 *   <li>{@code autoApproveLocal} off (the library default): no;
 *   <li>otherwise ({@code not-paired}, {@code role-upgrade}, {@code scope-upgrade}): yes.
 * </ol>
 *
 * <p>The client's self-description (client id, mode, {@link ClientKind}) plays no part: a client
 * that calls itself {@code openclaw-control-ui} gains nothing by it. The service applies this to
 * every aspect of the request it would approve (R11.1), never to a role an operator revoked
 * (R11.4), and never when the approval would grant a scope of {@code neverSilent} (default
 * {@code operator.admin}).
 */
public final class SilentApproval {
  private SilentApproval() {}

  /**
   * Decides silent approval for one reason.
   *
   * @param locality the connection's locality
   * @param auth how the gateway authenticated the connection
   * @param reason why pairing is required
   * @param browserOrigin whether the connection carried an {@code Origin} header (it passed the
   *     origin check, R16.4)
   * @param sameHostProxy whether every proxy hop of a {@link Locality#PROXIED_LOCAL} connection is
   *     listed in {@code sameHostProxies}
   * @param autoApproveLocal the service's {@code autoApproveLocal} option
   */
  public static ApprovalVerdict decide(
      Locality locality, AuthMethod auth, UpgradeReason reason, boolean browserOrigin,
      boolean sameHostProxy, boolean autoApproveLocal) {
    if (locality == Locality.REMOTE) {
      return ApprovalVerdict.no("the connection is remote");
    }
    if (locality == Locality.PROXIED_LOCAL && !sameHostProxy) {
      return ApprovalVerdict.no("a loopback address named by a proxy header is not local enough;"
          + " list the proxy in sameHostProxies if it runs on the gateway's host");
    }
    boolean credential = auth == AuthMethod.SHARED_TOKEN || auth == AuthMethod.PASSWORD
        || (reason == UpgradeReason.METADATA_UPGRADE && auth == AuthMethod.DEVICE_TOKEN);
    if (!credential) {
      return ApprovalVerdict.no("silent approval needs a verified shared token or password"
          + (reason == UpgradeReason.METADATA_UPGRADE ? " (or the device's own token)" : "")
          + "; auth is " + auth.wireName());
    }
    if (reason == UpgradeReason.METADATA_UPGRADE) {
      return browserOrigin
          ? ApprovalVerdict.no("metadata-upgrade of a browser connection needs an operator")
          : ApprovalVerdict.yes("metadata-upgrade on " + locality.wireName() + " with "
              + auth.wireName() + " auth");
    }
    if (!autoApproveLocal) {
      return ApprovalVerdict.no("autoApproveLocal is off");
    }
    return ApprovalVerdict.yes(reason.wireName() + " on " + locality.wireName() + " with "
        + auth.wireName() + " auth");
  }
}
