package io.pairgate;

import io.pairgate.internal.Engine;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.RandomSource;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

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
 */
public interface PairingService {

  /** A builder for a service keeping its state in {@code store}. */
  static Builder builder(PairingStore store) {
    return new Builder(store);
  }

  /**
   * Issues a single-use challenge for a new connection. It must be presented with the connect
   * attempt within the challenge lifetime (default 5 minutes).
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
   * Replaces the device's token for {@code role} with a new secret. With {@code scopes} the new
   * token grants exactly those (they must be within the approved baseline); without, it keeps the
   * old token's scopes. The baseline never changes. The new token is returned once; deliver it
   * only to its device.
   *
   * @throws PairgateException {@link ErrorCode#UNKNOWN_DEVICE}, {@link ErrorCode#UNKNOWN_ROLE},
   *     {@link ErrorCode#INVALID_SCOPE}, {@link ErrorCode#SCOPE_OUTSIDE_BASELINE} (nothing changed)
   */
  DeviceToken rotate(DeviceId deviceId, Role role, Optional<ScopeSet> scopes);

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

  /** The paired device, if any (token secrets included). */
  Optional<PairedDevice> device(DeviceId deviceId);

  /** The pending request with this id, if it is still pending and not expired. */
  Optional<PendingRequest> pendingRequest(String requestId);

  /** Every pending (unexpired) request, paired device and blocked id. */
  PairingListing list();

  /** The scope relation this service uses everywhere; gateways use it for method checks too. */
  ScopePolicy scopePolicy();

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

    /** How long an issued challenge can be used (default 5 minutes). */
    public Builder challengeTtl(Duration ttl) {
      this.challengeTtl = positive("challengeTtl", ttl);
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

    /** Builds the service. */
    public PairingService build() {
      return new Engine(
          new Engine.Config(
              store, clock, scopePolicy, random, pendingTtl, signatureSkew, challengeTtl,
              resolvedRetention, maxResolvedPerDevice, touchInterval, maxConflictRetries));
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
