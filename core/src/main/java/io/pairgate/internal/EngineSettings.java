package io.pairgate.internal;

import io.pairgate.ClientInfo;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.audit.AuditListener;
import io.pairgate.policy.BrowserOrigin;
import io.pairgate.policy.ClientKind;
import io.pairgate.policy.IpRange;
import io.pairgate.policy.StandingApproval;
import io.pairgate.policy.TrustedProxies;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.RandomSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Owns the service's settings: the builder's options after validation, as one immutable value
 * that every internal part reads and none changes. Rules are numbered as in docs/semantics.md.
 */
public record EngineSettings(
    PairingStore store,
    Clock clock,
    ScopePolicy policy,
    RandomSource random,
    Duration pendingTtl,
    Duration signatureSkew,
    Duration challengeTtl,
    Duration resolvedRetention,
    int maxResolvedPerDevice,
    Duration touchInterval,
    int maxConflictRetries,
    TrustedProxies trustedProxies,
    boolean allowRealIpFallback,
    boolean autoApproveLocal,
    List<StandingApproval> standingApprovals,
    int maxPending,
    int maxPendingPerAddress,
    List<AuditListener> auditListeners,
    boolean pairingRequired,
    Function<ClientInfo, ClientKind> clientKinds,
    boolean acceptV2Proofs,
    int maxChallenges,
    List<BrowserOrigin> allowedOrigins,
    boolean rejectUntrustedForwarded,
    TrustedProxies sameHostProxies,
    List<IpRange> browserContainerBridges,
    ScopeSet neverSilent,
    int pendingIpv6Prefix,
    int localPendingReserve,
    Set<String> gatewayHosts) {

  /** Copies the lists. */
  public EngineSettings {
    standingApprovals = List.copyOf(standingApprovals);
    auditListeners = List.copyOf(auditListeners);
    allowedOrigins = List.copyOf(allowedOrigins);
    browserContainerBridges = List.copyOf(browserContainerBridges);
    gatewayHosts = Set.copyOf(gatewayHosts);
  }

  /** How long a covering request is left alone before a connect refreshes it (R5.3). */
  Duration refreshInterval() {
    return pendingTtl.dividedBy(10);
  }
}
