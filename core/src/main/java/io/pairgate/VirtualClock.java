package io.pairgate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that stands still until a test {@link #advance advances} it, with millisecond
 * resolution: the one test clock of Pairgate's own tests, benchmarks and testkit, and a utility
 * for embedders' tests (pass it to {@link PairingServiceBuilder#clock}). Thread-safe. The
 * testkit's scenario vectors and model-based tests start it at {@link #SCENARIO_EPOCH_MS}.
 */
public final class VirtualClock extends Clock {
  /** Where scenario vectors start the clock: 1 700 000 000 000 ms after the epoch. */
  public static final long SCENARIO_EPOCH_MS = 1_700_000_000_000L;

  private final AtomicLong millis;
  private final ZoneId zone;

  private VirtualClock(AtomicLong millis, ZoneId zone) {
    this.millis = millis;
    this.zone = zone;
  }

  /** A clock at {@code epochMillis}, in UTC. */
  public static VirtualClock at(long epochMillis) {
    return new VirtualClock(new AtomicLong(epochMillis), ZoneOffset.UTC);
  }

  /** A clock at {@code start} truncated to milliseconds, in UTC. */
  public static VirtualClock at(Instant start) {
    return at(start.toEpochMilli());
  }

  /** A clock at {@link #SCENARIO_EPOCH_MS}, in UTC. */
  public static VirtualClock atScenarioEpoch() {
    return at(SCENARIO_EPOCH_MS);
  }

  /** Moves the clock forward by {@code ms} milliseconds (negative values move it back). */
  public void advance(long ms) {
    millis.addAndGet(ms);
  }

  /** Moves the clock forward by {@code d}, truncated to milliseconds. */
  public void advance(Duration d) {
    advance(d.toMillis());
  }

  /** Sets the clock to {@code epochMillis}. */
  public void set(long epochMillis) {
    millis.set(epochMillis);
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** The same time source viewed in another zone (advancing one advances both). */
  @Override
  public Clock withZone(ZoneId zone) {
    return new VirtualClock(millis, zone);
  }

  @Override
  public String toString() {
    return "VirtualClock[" + instant() + "]";
  }
}
