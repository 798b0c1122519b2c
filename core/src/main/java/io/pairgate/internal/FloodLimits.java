package io.pairgate.internal;

import io.pairgate.policy.IpAddress;
import io.pairgate.policy.IpRange;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.PendingCount;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Owns the request flood limits (R12): how the pending requests a new request competes with are
 * counted (in total and per client address, IPv6 per prefix) and whether the counts refuse it.
 * Counting reads the store; judging is pure.
 *
 * <p>The limits are exact under concurrency (R12.1): a connect that is about to create a request
 * counts under its store's admission lock ({@link #admission()}) and keeps the lock until its
 * write has committed, so two creations never both count the same free place. Only such connects
 * take the lock; allowed connects, refreshes and supersedes never do.
 */
final class FloodLimits {
  /**
   * One admission lock per store object, shared by every service of this process over that store
   * (weakly held: a store that is gone takes its lock with it).
   */
  private static final Map<PairingStore, ReentrantLock> ADMISSION =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final EngineSettings settings;
  private final ReentrantLock lock;

  FloodLimits(EngineSettings settings) {
    this.settings = settings;
    this.lock = ADMISSION.computeIfAbsent(settings.store(), s -> new ReentrantLock());
  }

  /**
   * The admission of one connect: {@link Admission#count} takes the store's admission lock before
   * it counts, and {@link Admission#close} releases it once the connect's write has committed (or
   * the connect has ended otherwise). Counting and creating are thereby one step for every
   * connect that creates a request.
   */
  Admission admission() {
    return new Admission();
  }

  /** See {@link #admission()}; used by one thread, for one connect. */
  final class Admission implements AutoCloseable {
    private boolean held;

    private Admission() {}

    /** Takes the admission lock (once) and counts, as {@link FloodLimits#count}. */
    FloodCount count(AttemptFacts facts, Instant now) {
      if (!held) {
        lock.lock();
        held = true;
      }
      return FloodLimits.this.count(facts, now);
    }

    /** Releases the admission lock if this connect took it. */
    @Override
    public void close() {
      if (held) {
        held = false;
        lock.unlock();
      }
    }
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
