package io.pairgate.internal;

import io.pairgate.policy.IpAddress;
import io.pairgate.policy.IpRange;
import io.pairgate.spi.PendingCount;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Owns the request flood limits (R12): how the pending requests a new request competes with are
 * counted (in total and per client address, IPv6 per prefix) and whether the counts refuse it.
 * Counting reads the store; judging is pure.
 */
final class FloodLimits {
  private final EngineSettings settings;

  FloodLimits(EngineSettings settings) {
    this.settings = settings;
  }

  /**
   * The counts a new request from {@code address} is judged by.
   *
   * @param address the client address (empty when unknown)
   * @param from what the per-address count covers: the address, or its IPv6 prefix
   */
  record FloodCount(PendingCount counts, String address, String from) {}

  /** Counts the pending requests (two store reads at most; done once per connect). */
  FloodCount count(AttemptFacts facts, Instant now) {
    String address = facts.address().address();
    IpAddress ip = IpAddress.tryParse(address).orElse(null);
    if (ip != null && !ip.isIpv4() && settings.pendingIpv6Prefix() < ip.bits()) {
      // R12.1: IPv6 clients are counted per prefix (default /64), which one host usually holds.
      IpRange prefix = new IpRange(ip, settings.pendingIpv6Prefix());
      return new FloodCount(
          settings.store().countPending(prefix, now), address, prefix.toString());
    }
    return new FloodCount(settings.store().countPending(address, now), address, address);
  }

  /** Why a new request is refused under {@code c}, or null when it is within the limits. */
  @Nullable String refusal(FloodCount c, AttemptFacts facts) {
    PendingCount n = c.counts();
    int max = settings.maxPending();
    int shared = max - settings.localPendingReserve();
    if (n.total() >= max) {
      return "too many pending pairing requests (" + n.total() + ", maxPending=" + max
          + "); an operator should review or reject pending requests";
    }
    if (!facts.reserveEligible() && n.total() >= shared) {
      return "too many pending pairing requests (" + n.total() + "); the last "
          + settings.localPendingReserve() + " of maxPending=" + max
          + " are reserved for local connections; an operator should review or reject pending"
          + " requests";
    }
    if (!c.address().isEmpty() && n.fromAddress() >= settings.maxPendingPerAddress()) {
      return "too many pending pairing requests from " + c.from() + " (" + n.fromAddress()
          + ", maxPendingPerAddress=" + settings.maxPendingPerAddress()
          + "); an operator should review or reject pending requests";
    }
    return null;
  }

  /** The explain line of a request within the limits. */
  String within(FloodCount c, AttemptFacts facts) {
    PendingCount n = c.counts();
    boolean reserved = facts.reserveEligible();
    int shared = settings.maxPending() - settings.localPendingReserve();
    return n.total() + " of " + settings.maxPending() + " pending in total (" + (reserved
        ? "local: the reserve of " + settings.localPendingReserve() + " is open to it"
        : "remote: at most " + shared) + "), " + n.fromAddress() + " of "
        + settings.maxPendingPerAddress() + " from "
        + (c.address().isEmpty() ? "(unknown)" : c.from());
  }
}
