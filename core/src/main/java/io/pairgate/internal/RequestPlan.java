package io.pairgate.internal;

import io.pairgate.RequestId;
import io.pairgate.ConnectResult.RequestChange;
import io.pairgate.PendingRequest;
import io.pairgate.spi.ResolvedRequest;
import io.pairgate.spi.ResolvedRequest.Resolution;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The device's pending request after a connect that needs pairing (R5): kept, refreshed, created
 * or superseding the old one. A plan that creates a request holds it with the placeholder id
 * {@link #UNMINTED}: the transactor mints the id ({@link #withId}); explain shows the plan as it
 * is and reports no id.
 *
 * @param next the pending request afterwards
 * @param change what happens to it
 * @param resolved the remembered ids afterwards (an expired request added), before pruning and
 *     without the superseded request, which {@link #withId} adds with its successor
 * @param expired the request that had expired and is replaced, if any (R5.2)
 * @param superseded the request superseded by the new one, if any (R5.4)
 */
record RequestPlan(
    PendingRequest next,
    RequestChange change,
    List<ResolvedRequest> resolved,
    @Nullable PendingRequest expired,
    @Nullable PendingRequest superseded) {

  /** The id a created request holds until {@link #withId} names it; never stored or shown. */
  static final RequestId UNMINTED = new RequestId("unminted");

  RequestPlan {
    resolved = List.copyOf(resolved);
  }

  /** Whether applying the plan needs a new request id. */
  boolean mintsId() {
    return change == RequestChange.CREATED || change == RequestChange.SUPERSEDED;
  }

  /** The plan with its new request's id; the superseded request remembers it as successor. */
  RequestPlan withId(RequestId id, Instant now) {
    PendingRequest p = next;
    PendingRequest named = new PendingRequest(id, p.deviceId(), p.publicKey(), p.role(),
        p.roles(), p.scopes(), p.client(), p.remoteAddress(), p.createdAt(), p.refreshedAt(),
        p.expiresAt(), p.repair(), p.reason(), p.browserOrigin());
    List<ResolvedRequest> out = new ArrayList<>(resolved);
    if (superseded != null) {
      out.add(new ResolvedRequest(superseded.requestId(), Resolution.SUPERSEDED, id, now));
    }
    return new RequestPlan(named, change, out, expired, superseded);
  }

}
