package io.pairgate;

import io.pairgate.spi.PairingStore;
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
 *
 * <h2>Error model</h2>
 *
 * One rule for bad input: <b>what the caller passes is checked where it enters the API and
 * throws</b>, and <b>what the connecting client presents is decided by {@link #connect} and
 * answered</b>.
 *
 * <ul>
 *   <li>Value types, parsers and builders throw an {@link InvalidArgumentException} (a
 *       {@link PairgateException}) with a typed {@link ErrorCode} (usually
 *       {@link ErrorCode#INVALID_ARGUMENT}) for a malformed value: {@link RequestId#of},
 *       {@link Role#of}, {@link Scope}, {@link ScopeSet#parse}, {@link DeviceId#parse},
 *       {@link TokenHash#parse}, every public {@code fromWireName},
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
  static PairingServiceBuilder builder(PairingStore store) {
    return new PairingServiceBuilder(store);
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
  Approval approve(RequestId requestId, Approver approver);

  /**
   * Approves only {@code scopes} of a pending request — a partial approval, as one atomic change.
   * Every scope must be one the request asks for or one it implies (under the
   * {@link #scopePolicy()}) for one of its roles; the request's roles are approved as in
   * {@link #approve(RequestId, Approver)}, and the approver needs only what the narrowed request
   * needs. The request is resolved as approved; the scopes left out are reported in
   * {@link Approval#declinedScopes()}, and a device that still wants them asks again
   * ({@code scope-upgrade}).
   *
   * @throws PairgateException {@link ErrorCode#INVALID_ARGUMENT} if a scope is not part of the
   *     request, and everything {@link #approve(RequestId, Approver)} throws
   */
  Approval approve(RequestId requestId, Approver approver, ScopeSet scopes);

  /**
   * Rejects a pending request and returns it. The device may ask again.
   *
   * @throws PairgateException {@link ErrorCode#UNKNOWN_REQUEST} or {@link SupersededException}
   */
  PendingRequest reject(RequestId requestId);

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
  Optional<PendingRequest> pendingRequest(RequestId requestId);

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
  RequestExplanation explainRequest(RequestId requestId);

  /**
   * Explains a device: paired or not, blocked or not, its effective and revoked roles, tokens
   * wider than the baseline, its pending request (explained as by {@link #explainRequest}) and its
   * remembered request ids. Reads only.
   *
   * @throws StoreException if the store fails
   */
  DeviceExplanation explainDevice(DeviceId deviceId);
}
