package io.pairgate;

import io.pairgate.audit.AuditListener;
import io.pairgate.internal.Engine;
import io.pairgate.internal.EngineSettings;
import io.pairgate.policy.BrowserOrigin;
import io.pairgate.policy.ClientKind;
import io.pairgate.policy.IpRange;
import io.pairgate.policy.StandingApproval;
import io.pairgate.policy.TrustedProxies;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.RandomSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Configures a {@link PairingService}. Every option has a default; {@link #build()} validates
 * them.
 */
public final class PairingServiceBuilder {
  private final PairingStore store;
  private Clock clock = Clock.systemUTC();
  private ScopePolicy scopePolicy = ScopePolicy.openClaw();
  private RandomSource random = RandomSource.secure();
  private Duration pendingTtl = Duration.ofMinutes(5);
  private Duration signatureSkew = Duration.ofMinutes(2);
  private Duration challengeTtl = Duration.ofMinutes(5);
  private Duration resolvedRetention = Duration.ofDays(1);
  private int maxResolvedPerDevice = 32;
  private Duration touchInterval = Duration.ofMinutes(1);
  private int maxConflictRetries = 100;
  private TrustedProxies trustedProxies = TrustedProxies.none();
  private boolean allowRealIpFallback;
  private boolean autoApproveLocal;
  private ScopeSet neverSilent = ScopeSet.of(List.of(Scope.OPERATOR_ADMIN));
  private List<BrowserOrigin> allowedOrigins = List.of();
  private Set<String> gatewayHosts = Set.of();
  private boolean rejectUntrustedForwarded;
  private TrustedProxies sameHostProxies = TrustedProxies.none();
  private List<IpRange> browserContainerBridges = List.of();
  private boolean acceptV2Proofs = true;
  private int maxChallenges = 100_000;
  private int pendingIpv6Prefix = 64;
  private int localPendingReserve = -1;
  private final List<StandingApproval> standingApprovals = new ArrayList<>();
  private int maxPending = 1000;
  private int maxPendingPerAddress = 16;
  private final List<AuditListener> auditListeners = new ArrayList<>();
  private boolean auditLogging = true;
  private boolean pairingRequired = true;
  private Function<ClientInfo, ClientKind> clientKinds = ClientKind::of;

  PairingServiceBuilder(PairingStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** The clock for every time decision (default: system UTC). Tests pass a controllable one. */
  public PairingServiceBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** The scope implication relation (default {@link ScopePolicy#openClaw()}). */
  public PairingServiceBuilder scopePolicy(ScopePolicy scopePolicy) {
    this.scopePolicy = Objects.requireNonNull(scopePolicy, "scopePolicy");
    return this;
  }

  /** Randomness for tokens, request ids and nonces (default {@link RandomSource#secure()}). */
  public PairingServiceBuilder randomSource(RandomSource random) {
    this.random = Objects.requireNonNull(random, "random");
    return this;
  }

  /** How long a request stays approvable after its last refresh (default 5 minutes). */
  public PairingServiceBuilder pendingTtl(Duration ttl) {
    this.pendingTtl = positive("pendingTtl", ttl);
    return this;
  }

  /** The largest allowed |now − signedAt| of a proof (default 2 minutes). */
  public PairingServiceBuilder signatureSkew(Duration skew) {
    this.signatureSkew = positive("signatureSkew", skew);
    return this;
  }

  /**
   * How long an issued challenge can be used (default 5 minutes, at most 1 hour). Outstanding
   * challenges are bounded in age by this and in number by {@link #maxChallenges(int)}.
   */
  public PairingServiceBuilder challengeTtl(Duration ttl) {
    Duration d = positive("challengeTtl", ttl);
    if (d.compareTo(Duration.ofHours(1)) > 0) {
      throw invalid("challengeTtl must be at most 1 hour, was " + d);
    }
    this.challengeTtl = d;
    return this;
  }

  /**
   * At most this many challenges are outstanding (issued, unused, unexpired; default 100 000,
   * about 20 MB). When they are, {@link PairingService#issueChallenge()} fails closed with a
   * {@link RetryLaterException} ({@link ErrorCode#TOO_MANY_CHALLENGES}) instead of forgetting
   * issued challenges (R1.5).
   */
  public PairingServiceBuilder maxChallenges(int max) {
    if (max < 1) {
      throw invalid("maxChallenges must be >= 1, was " + max);
    }
    this.maxChallenges = max;
    return this;
  }

  /**
   * Whether the legacy v2 proof payload is accepted besides v3 (default true, for older
   * OpenClaw clients). A v2 signature does not cover the platform and device family, so a
   * device signing v2 cannot prove the metadata its pin is compared with (R1.2); turn this off
   * when every client signs v3.
   */
  public PairingServiceBuilder acceptV2Proofs(boolean accept) {
    this.acceptV2Proofs = accept;
    return this;
  }

  /**
   * The browser origins besides the gateway's own that may connect (default: none), such as
   * {@code https://control.example.com} or {@code http://localhost:5173}. A connect carrying
   * an {@code Origin} that is neither its gateway's own origin (scheme, host and port of the
   * {@code Host} it reached) nor listed here is rejected with
   * {@link ErrorCode#ORIGIN_NOT_ALLOWED} and changes nothing (R16.4). Replaces any earlier list.
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} for an entry that is not
   *     {@code scheme://host[:port]} (paths and {@code null} are refused)
   */
  public PairingServiceBuilder allowedOrigins(List<String> origins) {
    List<BrowserOrigin> out = new ArrayList<>();
    for (String o : Objects.requireNonNull(origins, "origins")) {
      out.add(BrowserOrigin.parseAllowed(o));
    }
    this.allowedOrigins = List.copyOf(out);
    return this;
  }

  /** The allowed browser origins; see {@link #allowedOrigins(List)}. */
  public PairingServiceBuilder allowedOrigins(String... origins) {
    return allowedOrigins(Arrays.asList(origins));
  }

  /**
   * The host names by which browsers reach this gateway (default: none), such as
   * {@code gateway.example.com}. A page's {@code Origin} counts as the gateway's own (R16.4)
   * only when the {@code Host} it reached is an IP address literal, {@code localhost}, or one of
   * these names (R16.5): any other name may be an attacker's domain re-pointed at the gateway's
   * address (DNS rebinding), whose page sends that name as both {@code Host} and {@code Origin}.
   * Such a connect is rejected with {@link ErrorCode#ORIGIN_NOT_ALLOWED} and changes nothing.
   * Replaces any earlier list.
   *
   * @throws PairgateException with {@link ErrorCode#INVALID_ARGUMENT} for an entry that is not
   *     a bare host name (no scheme, port or path)
   */
  public PairingServiceBuilder gatewayHosts(List<String> hosts) {
    Set<String> out = new LinkedHashSet<>();
    for (String h : Objects.requireNonNull(hosts, "hosts")) {
      out.add(BrowserOrigin.parseGatewayHost(Objects.requireNonNull(h, "host")));
    }
    this.gatewayHosts = Set.copyOf(out);
    return this;
  }

  /** The gateway's host names; see {@link #gatewayHosts(List)}. */
  public PairingServiceBuilder gatewayHosts(String... hosts) {
    return gatewayHosts(Arrays.asList(hosts));
  }

  /**
   * Whether a connect whose socket peer is not a trusted proxy (or is unknown) but carries
   * forwarding headers ({@code X-Forwarded-For}, {@code Forwarded}, {@code X-Real-IP},
   * {@code X-Forwarded-Host}, {@code X-Forwarded-Proto}) is rejected with
   * {@link ErrorCode#PROXY_ATTRIBUTION_REQUIRED}, as OpenClaw 2026.9 does (default false: the
   * headers are ignored and the connection is remote, R10.3, R16.3).
   */
  public PairingServiceBuilder rejectUntrustedForwarded(boolean reject) {
    this.rejectUntrustedForwarded = reject;
    return this;
  }

  /**
   * The trusted proxies that run on the gateway's own host (default: none), as addresses or
   * CIDR ranges. A loopback client named by proxy headers is {@code proxied_local}, never
   * {@code direct_local}; it may be approved silently only when the socket peer and every
   * skipped proxy hop are listed here and in {@link #trustedProxies(List)} (R11.2).
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} naming every malformed
   *     entry
   */
  public PairingServiceBuilder sameHostProxies(List<String> proxies) {
    this.sameHostProxies = TrustedProxies.parse(Objects.requireNonNull(proxies, "proxies"));
    return this;
  }

  /** The same-host proxies; see {@link #sameHostProxies(List)}. */
  public PairingServiceBuilder sameHostProxies(String... proxies) {
    return sameHostProxies(Arrays.asList(proxies));
  }

  /**
   * The container bridge ranges (e.g. Docker's {@code 172.17.0.0/16}) from which a browser
   * reaching a Docker-published loopback port may be {@code browser_container_local} (default:
   * none, which turns that class off; R10.5). List only bridges of the gateway's own host.
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} naming every malformed
   *     entry
   */
  public PairingServiceBuilder browserContainerBridges(List<String> ranges) {
    this.browserContainerBridges =
        TrustedProxies.parse(Objects.requireNonNull(ranges, "ranges")).ranges();
    return this;
  }

  /** The browser container bridges; see {@link #browserContainerBridges(List)}. */
  public PairingServiceBuilder browserContainerBridges(String... ranges) {
    return browserContainerBridges(Arrays.asList(ranges));
  }

  /**
   * The scopes a silent approval never grants (default {@code operator.admin}): a request that
   * would newly grant one of them (or a scope implying one) waits for an operator even on the
   * gateway's own host (R11.2). Replaces the default; an empty list removes the guard.
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} for a malformed scope
   */
  public PairingServiceBuilder neverSilent(List<String> scopes) {
    this.neverSilent = ScopeSet.parse(Objects.requireNonNull(scopes, "scopes"));
    return this;
  }

  /** The scopes a silent approval never grants; see {@link #neverSilent(List)}. */
  public PairingServiceBuilder neverSilent(String... scopes) {
    return neverSilent(Arrays.asList(scopes));
  }

  /**
   * The prefix length by which IPv6 clients are counted for {@link #maxPendingPerAddress(int)}
   * (default 64: one host usually holds a whole /64; 128 counts exact addresses). IPv4 clients
   * are counted per address (R12.1).
   */
  public PairingServiceBuilder pendingIpv6Prefix(int prefixLength) {
    if (prefixLength < 1 || prefixLength > 128) {
      throw invalid("pendingIpv6Prefix must be 1-128, was " + prefixLength);
    }
    this.pendingIpv6Prefix = prefixLength;
    return this;
  }

  /**
   * How many of the {@link #maxPending(int)} places only local connections may fill (default a
   * tenth of maxPending, rounded down): remote peers together can hold at most
   * {@code maxPending - localPendingReserve} pending requests, so a flood from the network can
   * never keep the gateway's own host from asking for approval (R12.1). Must be less than
   * maxPending.
   */
  public PairingServiceBuilder localPendingReserve(int reserve) {
    if (reserve < 0) {
      throw invalid("localPendingReserve must be >= 0, was " + reserve);
    }
    this.localPendingReserve = reserve;
    return this;
  }

  /**
   * How long resolved request ids are remembered so that a late approve gets a precise answer
   * (default 1 day, at least 1 day is recommended).
   */
  public PairingServiceBuilder resolvedRetention(Duration retention) {
    this.resolvedRetention = positive("resolvedRetention", retention);
    return this;
  }

  /** At most this many resolved request ids are remembered per device (default 32). */
  public PairingServiceBuilder maxResolvedPerDevice(int max) {
    if (max < 1) {
      throw invalid("maxResolvedPerDevice must be >= 1, was " + max);
    }
    this.maxResolvedPerDevice = max;
    return this;
  }

  /**
   * The device's last-seen time is recorded at most once per this interval (default 1 minute).
   */
  public PairingServiceBuilder touchInterval(Duration interval) {
    this.touchInterval = positive("touchInterval", interval);
    return this;
  }

  /** How often a conflicting compare-and-set is retried before failing (default 100). */
  public PairingServiceBuilder maxConflictRetries(int retries) {
    if (retries < 1) {
      throw invalid("maxConflictRetries must be >= 1, was " + retries);
    }
    this.maxConflictRetries = retries;
    return this;
  }

  /**
   * The reverse proxies whose forwarding headers are believed (default: none), as IPv4/IPv6
   * addresses or CIDR ranges, e.g. {@code List.of("127.0.0.1", "172.17.0.0/16", "fd00::/8")}.
   * Replaces any earlier list. Only a connection whose socket peer is listed may name the real
   * client through {@code X-Forwarded-For} or {@code Forwarded}; headers from other peers are
   * ignored and make the connection remote (R10). Host names are refused: no DNS lookup is made.
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} naming every malformed
   *     entry
   */
  public PairingServiceBuilder trustedProxies(List<String> proxies) {
    this.trustedProxies = TrustedProxies.parse(Objects.requireNonNull(proxies, "proxies"));
    return this;
  }

  /**
   * The trusted proxies as addresses or CIDR ranges; see {@link #trustedProxies(List)}.
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} naming every malformed
   *     entry
   */
  public PairingServiceBuilder trustedProxies(String... proxies) {
    return trustedProxies(Arrays.asList(proxies));
  }

  /**
   * Whether {@code X-Real-IP} from a trusted proxy may name the client when the proxy sent no
   * {@code X-Forwarded-For} or {@code Forwarded} header (default false).
   */
  public PairingServiceBuilder allowRealIpFallback(boolean allow) {
    this.allowRealIpFallback = allow;
    return this;
  }

  /**
   * Whether local connections may be approved silently (default <b>false</b>, R11.2): first
   * pairing, role upgrades and scope upgrades of a client on the gateway's own host that
   * presented a verified shared token or password, never granting a {@link #neverSilent} scope.
   * With false, only the metadata refresh of a local client without a browser Origin stays
   * silent. The library default differs from OpenClaw's on purpose: the first admin is approved
   * by an operator with access to the store ({@code pairgate devices approve}) or by an admin
   * over the wire. A gateway that wants OpenClaw's convenience opts in.
   */
  public PairingServiceBuilder autoApproveLocal(boolean autoApprove) {
    this.autoApproveLocal = autoApprove;
    return this;
  }

  /**
   * Adds a standing approval (R11.3): requests matching it are approved without an operator,
   * recorded with {@code approvedVia = "standing"}. Names must be unique.
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} if the name is taken
   */
  public PairingServiceBuilder standingApproval(StandingApproval approval) {
    Objects.requireNonNull(approval, "approval");
    for (StandingApproval s : standingApprovals) {
      if (s.name().equals(approval.name())) {
        throw invalid("a standing approval named '" + approval.name() + "' was already added");
      }
    }
    standingApprovals.add(approval);
    return this;
  }

  /**
   * At most this many unexpired pending requests in total (default 1000, R12): a connect that
   * would create one more is rejected with {@link ErrorCode#TOO_MANY_PENDING}.
   */
  public PairingServiceBuilder maxPending(int max) {
    if (max < 1) {
      throw invalid("maxPending must be >= 1, was " + max);
    }
    this.maxPending = max;
    return this;
  }

  /**
   * At most this many unexpired pending requests from one client address (default 16, R12).
   */
  public PairingServiceBuilder maxPendingPerAddress(int max) {
    if (max < 1) {
      throw invalid("maxPendingPerAddress must be >= 1, was " + max);
    }
    this.maxPendingPerAddress = max;
    return this;
  }

  /**
   * Adds an audit listener (R14). Listeners receive events in the order they were added, after
   * the logging listener (see {@link #auditLogging(boolean)}).
   */
  public PairingServiceBuilder auditListener(AuditListener listener) {
    auditListeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /**
   * Whether the default {@link AuditListener#logging() logging listener} is on (default true):
   * one INFO line per event on the logger {@code io.pairgate.audit}.
   */
  public PairingServiceBuilder auditLogging(boolean enabled) {
    this.auditLogging = enabled;
    return this;
  }

  /**
   * Whether devices need an approval at all (default true). With false, pairing is switched off
   * (R13): a connect with a valid proof is allowed with the role and scopes it asks for and the
   * device is recorded as paired with {@code approvedVia = "pairing-disabled"} (visible,
   * revocable, removable); blocks still reject, and a role whose token an operator revoked still
   * needs an operator's approval. {@link #build()} logs a warning. For private, trusted networks
   * only.
   */
  public PairingServiceBuilder pairingRequired(boolean required) {
    this.pairingRequired = required;
    return this;
  }

  /**
   * How clients are classified for locality and silent approval (default {@link ClientKind#of}).
   * Gateways whose clients use other ids or modes can map them here.
   */
  public PairingServiceBuilder clientKinds(Function<ClientInfo, ClientKind> classifier) {
    this.clientKinds = Objects.requireNonNull(classifier, "classifier");
    return this;
  }

  /**
   * Builds the service. Logs a WARN line when pairing is switched off, and for a trusted proxy
   * range that includes public addresses.
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} if a standing approval's
   *     scope ceiling holds a scope none of its roles can hold under the scope policy, or if
   *     localPendingReserve is not less than maxPending
   */
  public PairingService build() {
    for (StandingApproval s : standingApprovals) {
      for (Scope scope : s.maxScopes()) {
        boolean admissible = false;
        for (Role r : s.roles()) {
          admissible |= scopePolicy.admissible(r, scope);
        }
        if (!admissible) {
          throw invalid("standing approval '" + s.name() + "': scope " + scope
              + " can never be held by its roles " + s.roles());
        }
      }
    }
    int reserve = localPendingReserve < 0 ? maxPending / 10 : localPendingReserve;
    if (reserve >= maxPending) {
      throw invalid("localPendingReserve (" + reserve + ") must be less than maxPending ("
          + maxPending + ")");
    }
    List<AuditListener> listeners = new ArrayList<>();
    if (auditLogging) {
      listeners.add(AuditListener.logging());
    }
    listeners.addAll(auditListeners);
    return new Engine(
        new EngineSettings(
            store, clock, scopePolicy, random, pendingTtl, signatureSkew, challengeTtl,
            resolvedRetention, maxResolvedPerDevice, touchInterval, maxConflictRetries,
            trustedProxies, allowRealIpFallback, autoApproveLocal, standingApprovals, maxPending,
            maxPendingPerAddress, listeners, pairingRequired, clientKinds, acceptV2Proofs,
            maxChallenges, allowedOrigins, rejectUntrustedForwarded, sameHostProxies,
            browserContainerBridges, neverSilent, pendingIpv6Prefix, reserve, gatewayHosts));
  }

  private static Duration positive(String name, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw invalid(name + " must be positive, was " + d);
    }
    return d;
  }

  private static InvalidArgumentException invalid(String message) {
    return new InvalidArgumentException(message);
  }
}
