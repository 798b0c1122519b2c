package io.pairgate;

import io.pairgate.audit.AuditListener;
import io.pairgate.internal.Engine;
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
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Decides, for each connecting device, whether it may connect, and carries out the operator's
 * actions. Thread-safe; every state change is one compare-and-set on one device's record, retried
 * on conflict, so no change is half-applied and concurrent changes never lose each other.
 *
 * <p>Typical use in a gateway:
 *
 * <pre>{@code
 * PairingService pairing = PairingService.builder(new InMemoryPairingStore()).build();
 * Challenge challenge = pairing.issueChallenge();          // send challenge.nonce() to the socket
 * ConnectResult result = pairing.connect(attempt);          // attempt built from the connect frame
 * if (result instanceof ConnectResult.Allowed a) { ... }    // send a.token() in hello-ok
 * }</pre>
 *
 * The rules are stated in {@code docs/semantics.md}.
 *
 * <h2>Error model</h2>
 *
 * One rule for bad input: <b>what the caller passes is checked where it enters the API and
 * throws</b>, and <b>what the connecting client presents is decided by {@link #connect} and
 * answered</b>.
 *
 * <ul>
 *   <li>Value types and builders throw a {@link PairgateException} with a typed
 *       {@link ErrorCode} (usually {@link ErrorCode#INVALID_ARGUMENT}) for a malformed value:
 *       {@link Role#of}, {@link Scope}, {@link ScopeSet#parse}, {@link DeviceId#parse},
 *       {@link ConnectAttempt.Builder#build()} (a missing role, auth method or challenge). A
 *       gateway that turns the client's frame into these values answers such an exception like a
 *       {@link ConnectResult.Rejected} (close {@value ConnectResult#POLICY_VIOLATION}); nothing
 *       was written and no challenge was used.
 *   <li>The operator operations ({@link #approve}, {@link #reject}, {@link #rotate},
 *       {@link #revoke}, {@link #remove}, …) throw a {@link PairgateException} whose
 *       {@link PairgateException#code() code} says why, and change nothing.
 *   <li>{@link #connect} never throws for anything in the attempt (only {@link StoreException}
 *       for a failing store): every check of the attempt &mdash; the proof, the input limits, the
 *       scopes as sent (which stay strings because the proof covers them byte for byte), the
 *       device's record &mdash; is answered with {@link ConnectResult.Rejected} carrying an
 *       {@link ErrorCode}, or with {@link ConnectResult.PairingRequired}.
 * </ul>
 */
public interface PairingService {

  /** A builder for a service keeping its state in {@code store}. */
  static Builder builder(PairingStore store) {
    return new Builder(store);
  }

  /**
   * Issues a single-use challenge for a new connection. It must be presented with the connect
   * attempt within the challenge lifetime (default 5 minutes); any attempt that presents it uses
   * it up, whatever the outcome.
   *
   * @throws RetryLaterException with {@link ErrorCode#TOO_MANY_CHALLENGES} when
   *     {@code maxChallenges} challenges are outstanding: answer like HTTP 503 with its
   *     {@code retryAfter} and close the connection
   */
  Challenge issueChallenge();

  /**
   * Decides a connect: verifies the proof, then decides allowed, pairing required (creating,
   * refreshing or superseding the device's pending request), or rejected. Writes to the store only
   * when something changes.
   *
   * @throws StoreException if the store fails
   */
  ConnectResult connect(ConnectAttempt attempt);

  /**
   * Approves a pending request: grows the device's approved roles and scopes by the request (never
   * shrinks them), pins the request's platform and device family, and issues or widens a token per
   * requested role. Approving an already approved request again changes nothing.
   *
   * @throws PairgateException {@link ErrorCode#UNKNOWN_REQUEST} (unknown or rejected),
   *     {@link SupersededException}, {@link ErrorCode#EXPIRED}, {@link ForbiddenException}
   */
  Approval approve(String requestId, Approver approver);

  /**
   * Approves only {@code scopes} of a pending request — a partial approval, as one atomic change.
   * Every scope must be one the request asks for or one it implies (under the
   * {@link #scopePolicy()}) for one of its roles; the request's roles are approved as in
   * {@link #approve(String, Approver)}, and the approver needs only what the narrowed request
   * needs. The request is resolved as approved; the scopes left out are reported in
   * {@link Approval#declinedScopes()}, and a device that still wants them asks again
   * ({@code scope-upgrade}).
   *
   * @throws PairgateException {@link ErrorCode#INVALID_ARGUMENT} if a scope is not part of the
   *     request, and everything {@link #approve(String, Approver)} throws
   */
  Approval approve(String requestId, Approver approver, ScopeSet scopes);

  /**
   * Rejects a pending request and returns it. The device may ask again.
   *
   * @throws PairgateException {@link ErrorCode#UNKNOWN_REQUEST} or {@link SupersededException}
   */
  PendingRequest reject(String requestId);

  /**
   * Removes a paired device (with its tokens and any pending request) and returns what was
   * removed. A block stays in force.
   *
   * @throws PairgateException {@link ErrorCode#UNKNOWN_DEVICE} if the device is not paired
   */
  PairedDeviceSummary remove(DeviceId deviceId);

  /**
   * Blocks a device, paired or not: its connects are rejected with {@link ErrorCode#BLOCKED} and
   * create no request; its open request is dropped. Idempotent.
   */
  void block(DeviceId deviceId);

  /** Lifts a block. Idempotent; does nothing for a device that is not blocked. */
  void unblock(DeviceId deviceId);

  /**
   * Replaces the device's token for {@code role} with a new secret that keeps the old token's
   * scopes. The baseline never changes. The new secret is returned once, in the result, and
   * stored only as a hash; deliver it only to its device. (A device that connects with the
   * gateway's shared credential instead keeps working without it; see R8.4.)
   *
   * @throws PairgateException {@link ErrorCode#UNKNOWN_DEVICE} or {@link ErrorCode#UNKNOWN_ROLE}
   *     (nothing changed)
   */
  IssuedToken rotate(DeviceId deviceId, Role role);

  /**
   * Replaces the device's token for {@code role} with a new secret that grants exactly
   * {@code scopes}, which must be within the approved baseline (an empty set is allowed). The
   * baseline never changes. The new secret is returned once, in the result, and stored only as a
   * hash; deliver it only to its device (see R8.4).
   *
   * @throws PairgateException {@link ErrorCode#UNKNOWN_DEVICE}, {@link ErrorCode#UNKNOWN_ROLE},
   *     {@link ErrorCode#INVALID_SCOPE}, {@link ErrorCode#SCOPE_OUTSIDE_BASELINE} (nothing changed)
   */
  IssuedToken rotate(DeviceId deviceId, Role role, ScopeSet scopes);

  /**
   * Revokes the device's token for {@code role}; the role stops being effective until an
   * approval re-issues it. Idempotent.
   *
   * @throws PairgateException {@link ErrorCode#UNKNOWN_DEVICE} or {@link ErrorCode#UNKNOWN_ROLE}
   */
  TokenSummary revoke(DeviceId deviceId, Role role);

  /**
   * Sets an operator label on a paired device.
   *
   * @throws PairgateException {@link ErrorCode#UNKNOWN_DEVICE}
   */
  PairedDeviceSummary rename(DeviceId deviceId, String label);

  /**
   * Checks a device token in constant time, under the same scope relation as connects. Never
   * writes.
   */
  TokenCheck verifyToken(DeviceId deviceId, Role role, String token, ScopeSet requestedScopes);

  /** The paired device, if any (with token hashes, never secrets). */
  Optional<PairedDevice> device(DeviceId deviceId);

  /** The pending request with this id, if it is still pending and not expired. */
  Optional<PendingRequest> pendingRequest(String requestId);

  /**
   * The device's open request, if it has one that has not expired (a device has at most one).
   * One store read; cheaper than {@link #list()} when the device is known.
   */
  Optional<PendingRequest> pendingRequestOf(DeviceId deviceId);

  /** Every pending (unexpired) request, paired device and blocked id. */
  PairingListing list();

  /** The scope relation this service uses everywhere; gateways use it for method checks too. */
  ScopePolicy scopePolicy();

  /**
   * Explains what {@link #connect} would decide for this attempt, without doing it: a dry run that
   * writes nothing, consumes no challenge nonce (the same attempt can still be used to connect),
   * mints no request id or token, and emits no audit event. The answer names the deciding rule of
   * {@code docs/semantics.md}, every check made, what was requested, approved and missing, the
   * resolved client address and the proxy hops used, the locality class, why an automatic approval
   * did or did not apply, and whether pairing is switched off.
   *
   * @throws StoreException if the store fails
   */
  Explanation explain(ConnectAttempt attempt);

  /**
   * Explains a request id: whether it is pending, expired, approved, rejected, superseded (and by
   * what) or unknown; for a pending request, its reason, what is missing and exactly what
   * approving it would grant. Reads only.
   *
   * @throws StoreException if the store fails
   */
  RequestExplanation explainRequest(String requestId);

  /**
   * Explains a device: paired or not, blocked or not, its effective and revoked roles, tokens
   * wider than the baseline, its pending request (explained as by {@link #explainRequest}) and its
   * remembered request ids. Reads only.
   *
   * @throws StoreException if the store fails
   */
  DeviceExplanation explainDevice(DeviceId deviceId);

  /**
   * Configures a {@link PairingService}. Every option has a default; {@link #build()} validates
   * them.
   */
  final class Builder {
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

    private Builder(PairingStore store) {
      this.store = Objects.requireNonNull(store, "store");
    }

    /** The clock for every time decision (default: system UTC). Tests pass a controllable one. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The scope implication relation (default {@link ScopePolicy#openClaw()}). */
    public Builder scopePolicy(ScopePolicy scopePolicy) {
      this.scopePolicy = Objects.requireNonNull(scopePolicy, "scopePolicy");
      return this;
    }

    /** Randomness for tokens, request ids and nonces (default {@link RandomSource#secure()}). */
    public Builder randomSource(RandomSource random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** How long a request stays approvable after its last refresh (default 5 minutes). */
    public Builder pendingTtl(Duration ttl) {
      this.pendingTtl = positive("pendingTtl", ttl);
      return this;
    }

    /** The largest allowed |now − signedAt| of a proof (default 2 minutes). */
    public Builder signatureSkew(Duration skew) {
      this.signatureSkew = positive("signatureSkew", skew);
      return this;
    }

    /**
     * How long an issued challenge can be used (default 5 minutes, at most 1 hour). Outstanding
     * challenges are bounded in age by this and in number by {@link #maxChallenges(int)}.
     */
    public Builder challengeTtl(Duration ttl) {
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
    public Builder maxChallenges(int max) {
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
    public Builder acceptV2Proofs(boolean accept) {
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
     * @throws PairgateException with {@link ErrorCode#INVALID_ARGUMENT} for an entry that is not
     *     {@code scheme://host[:port]} (paths and {@code null} are refused)
     */
    public Builder allowedOrigins(List<String> origins) {
      List<BrowserOrigin> out = new ArrayList<>();
      for (String o : Objects.requireNonNull(origins, "origins")) {
        out.add(BrowserOrigin.parseAllowed(o));
      }
      this.allowedOrigins = List.copyOf(out);
      return this;
    }

    /** The allowed browser origins; see {@link #allowedOrigins(List)}. */
    public Builder allowedOrigins(String... origins) {
      return allowedOrigins(Arrays.asList(origins));
    }

    /**
     * Whether a connect whose socket peer is not a trusted proxy (or is unknown) but carries
     * forwarding headers ({@code X-Forwarded-For}, {@code Forwarded}, {@code X-Real-IP},
     * {@code X-Forwarded-Host}, {@code X-Forwarded-Proto}) is rejected with
     * {@link ErrorCode#PROXY_ATTRIBUTION_REQUIRED}, as OpenClaw 2026.9 does (default false: the
     * headers are ignored and the connection is remote, R10.3, R16.3).
     */
    public Builder rejectUntrustedForwarded(boolean reject) {
      this.rejectUntrustedForwarded = reject;
      return this;
    }

    /**
     * The trusted proxies that run on the gateway's own host (default: none), as addresses or
     * CIDR ranges. A loopback client named by proxy headers is {@code proxied_local}, never
     * {@code direct_local}; it may be approved silently only when the socket peer and every
     * skipped proxy hop are listed here and in {@link #trustedProxies(List)} (R11.2).
     *
     * @throws PairgateException with {@link ErrorCode#INVALID_ARGUMENT} naming every malformed
     *     entry
     */
    public Builder sameHostProxies(List<String> proxies) {
      this.sameHostProxies = TrustedProxies.parse(Objects.requireNonNull(proxies, "proxies"));
      return this;
    }

    /** The same-host proxies; see {@link #sameHostProxies(List)}. */
    public Builder sameHostProxies(String... proxies) {
      return sameHostProxies(Arrays.asList(proxies));
    }

    /**
     * The container bridge ranges (e.g. Docker's {@code 172.17.0.0/16}) from which a browser
     * reaching a Docker-published loopback port may be {@code browser_container_local} (default:
     * none, which turns that class off; R10.5). List only bridges of the gateway's own host.
     *
     * @throws PairgateException with {@link ErrorCode#INVALID_ARGUMENT} naming every malformed
     *     entry
     */
    public Builder browserContainerBridges(List<String> ranges) {
      this.browserContainerBridges =
          TrustedProxies.parse(Objects.requireNonNull(ranges, "ranges")).ranges();
      return this;
    }

    /** The browser container bridges; see {@link #browserContainerBridges(List)}. */
    public Builder browserContainerBridges(String... ranges) {
      return browserContainerBridges(Arrays.asList(ranges));
    }

    /**
     * The scopes a silent approval never grants (default {@code operator.admin}): a request that
     * would newly grant one of them (or a scope implying one) waits for an operator even on the
     * gateway's own host (R11.2). Replaces the default; an empty list removes the guard.
     *
     * @throws PairgateException with {@link ErrorCode#INVALID_ARGUMENT} for a malformed scope
     */
    public Builder neverSilent(List<String> scopes) {
      this.neverSilent = ScopeSet.parse(Objects.requireNonNull(scopes, "scopes"));
      return this;
    }

    /** The scopes a silent approval never grants; see {@link #neverSilent(List)}. */
    public Builder neverSilent(String... scopes) {
      return neverSilent(Arrays.asList(scopes));
    }

    /**
     * The prefix length by which IPv6 clients are counted for {@link #maxPendingPerAddress(int)}
     * (default 64: one host usually holds a whole /64; 128 counts exact addresses). IPv4 clients
     * are counted per address (R12.1).
     */
    public Builder pendingIpv6Prefix(int prefixLength) {
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
    public Builder localPendingReserve(int reserve) {
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
    public Builder resolvedRetention(Duration retention) {
      this.resolvedRetention = positive("resolvedRetention", retention);
      return this;
    }

    /** At most this many resolved request ids are remembered per device (default 32). */
    public Builder maxResolvedPerDevice(int max) {
      if (max < 1) {
        throw invalid("maxResolvedPerDevice must be >= 1, was " + max);
      }
      this.maxResolvedPerDevice = max;
      return this;
    }

    /**
     * The device's last-seen time is recorded at most once per this interval (default 1 minute).
     */
    public Builder touchInterval(Duration interval) {
      this.touchInterval = positive("touchInterval", interval);
      return this;
    }

    /** How often a conflicting compare-and-set is retried before failing (default 100). */
    public Builder maxConflictRetries(int retries) {
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
     * @throws PairgateException with {@link ErrorCode#INVALID_ARGUMENT} naming every malformed
     *     entry
     */
    public Builder trustedProxies(List<String> proxies) {
      this.trustedProxies = TrustedProxies.parse(Objects.requireNonNull(proxies, "proxies"));
      return this;
    }

    /**
     * The trusted proxies as addresses or CIDR ranges; see {@link #trustedProxies(List)}.
     *
     * @throws PairgateException with {@link ErrorCode#INVALID_ARGUMENT} naming every malformed
     *     entry
     */
    public Builder trustedProxies(String... proxies) {
      return trustedProxies(Arrays.asList(proxies));
    }

    /**
     * Whether {@code X-Real-IP} from a trusted proxy may name the client when the proxy sent no
     * {@code X-Forwarded-For} or {@code Forwarded} header (default false).
     */
    public Builder allowRealIpFallback(boolean allow) {
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
    public Builder autoApproveLocal(boolean autoApprove) {
      this.autoApproveLocal = autoApprove;
      return this;
    }

    /**
     * Adds a standing approval (R11.3): requests matching it are approved without an operator,
     * recorded with {@code approvedVia = "standing"}. Names must be unique.
     *
     * @throws PairgateException with {@link ErrorCode#INVALID_ARGUMENT} if the name is taken
     */
    public Builder standingApproval(StandingApproval approval) {
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
    public Builder maxPending(int max) {
      if (max < 1) {
        throw invalid("maxPending must be >= 1, was " + max);
      }
      this.maxPending = max;
      return this;
    }

    /**
     * At most this many unexpired pending requests from one client address (default 16, R12).
     */
    public Builder maxPendingPerAddress(int max) {
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
    public Builder auditListener(AuditListener listener) {
      auditListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Whether the default {@link AuditListener#logging() logging listener} is on (default true):
     * one INFO line per event on the logger {@code io.pairgate.audit}.
     */
    public Builder auditLogging(boolean enabled) {
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
    public Builder pairingRequired(boolean required) {
      this.pairingRequired = required;
      return this;
    }

    /**
     * How clients are classified for locality and silent approval (default {@link ClientKind#of}).
     * Gateways whose clients use other ids or modes can map them here.
     */
    public Builder clientKinds(Function<ClientInfo, ClientKind> classifier) {
      this.clientKinds = Objects.requireNonNull(classifier, "classifier");
      return this;
    }

    /**
     * Builds the service. Logs a WARN line when pairing is switched off, and for a trusted proxy
     * range that includes public addresses.
     *
     * @throws PairgateException with {@link ErrorCode#INVALID_ARGUMENT} if a standing approval's
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
          new Engine.Config(
              store, clock, scopePolicy, random, pendingTtl, signatureSkew, challengeTtl,
              resolvedRetention, maxResolvedPerDevice, touchInterval, maxConflictRetries,
              trustedProxies, allowRealIpFallback, autoApproveLocal, standingApprovals, maxPending,
              maxPendingPerAddress, listeners, pairingRequired, clientKinds, acceptV2Proofs,
              maxChallenges, allowedOrigins, rejectUntrustedForwarded, sameHostProxies,
              browserContainerBridges, neverSilent, pendingIpv6Prefix, reserve));
    }

    private static Duration positive(String name, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw invalid(name + " must be positive, was " + d);
      }
      return d;
    }

    private static PairgateException invalid(String message) {
      return new PairgateException(ErrorCode.INVALID_ARGUMENT, message);
    }
  }
}
