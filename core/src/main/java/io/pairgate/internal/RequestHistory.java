package io.pairgate.internal;

import io.pairgate.RequestId;
import io.pairgate.ErrorCode;
import io.pairgate.PairgateException;
import io.pairgate.PendingRequest;
import io.pairgate.SupersededException;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.ResolvedRequest;
import io.pairgate.spi.ResolvedRequest.Resolution;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Owns a device's remembered request ids (R8.2, R9): how long and how many are kept, how a
 * dropped request is remembered, and the error for acting on a request that is no longer pending.
 */
final class RequestHistory {
  private final EngineSettings settings;

  RequestHistory(EngineSettings settings) {
    this.settings = settings;
  }

  /** {@code resolved} without the entries past resolvedRetention, and at most the newest N. */
  List<ResolvedRequest> prune(List<ResolvedRequest> resolved, Instant now) {
    Instant cutoff = now.minus(settings.resolvedRetention());
    List<ResolvedRequest> kept = new ArrayList<>(resolved.size());
    for (ResolvedRequest r : resolved) {
      if (r.resolvedAt().isAfter(cutoff)) {
        kept.add(r);
      }
    }
    int excess = kept.size() - settings.maxResolvedPerDevice();
    return excess > 0 ? kept.subList(excess, kept.size()) : kept;
  }

  /** {@code resolved} plus one entry, pruned. */
  List<ResolvedRequest> plus(
      List<ResolvedRequest> resolved, RequestId requestId, Resolution outcome, Instant now) {
    List<ResolvedRequest> out = new ArrayList<>(resolved);
    out.add(new ResolvedRequest(requestId, outcome, null, now));
    return prune(out, now);
  }

  /**
   * The resolved list with the pending request (if any) recorded as rejected, or as expired when
   * it had already expired: a remembered id keeps the terminal state it reached first (R8.2).
   */
  List<ResolvedRequest> dropPending(DeviceRecord rec, Instant now) {
    PendingRequest p = rec.pending();
    if (p == null) {
      return prune(rec.resolved(), now);
    }
    return plus(rec.resolved(), p.requestId(),
        p.isExpired(now) ? Resolution.EXPIRED : Resolution.REJECTED, now);
  }

  /** The remembered entry of {@code requestId}; an unknown-request error when there is none. */
  static ResolvedRequest entry(DeviceRecord rec, RequestId requestId) {
    for (ResolvedRequest r : rec.resolved()) {
      if (r.requestId().equals(requestId)) {
        return r;
      }
    }
    throw unknownRequest(requestId, "");
  }

  /** The error for acting on a request that is no longer pending. */
  static PairgateException afterResolution(
      DeviceRecord rec, ResolvedRequest r, boolean approving) {
    return switch (r.outcome()) {
      case SUPERSEDED -> new SupersededException(r.requestId(),
          rec.pending() != null ? rec.pending().requestId() : r.successorRequestId());
      case EXPIRED -> new PairgateException(ErrorCode.EXPIRED,
          "request " + r.requestId() + " expired; the device must connect again to ask anew");
      case REJECTED -> unknownRequest(r.requestId(), " (it was rejected or dropped)");
      case APPROVED -> unknownRequest(r.requestId(), approving
          ? " (it was approved, but the device is no longer paired)"
          : " (it was already approved; remove the device to undo that)");
    };
  }

  static PairgateException unknownRequest(RequestId requestId, String detail) {
    return new PairgateException(ErrorCode.UNKNOWN_REQUEST,
        "unknown request id " + requestId + detail);
  }
}
