package io.pairgate.testkit;

import io.pairgate.spi.RandomSource;
import java.util.SplittableRandom;

/**
 * A deterministic {@link RandomSource}: the same seed yields the same request ids, token secrets
 * and nonces, so a test run repeats byte for byte. Never use it in production. Thread-safe
 * (calls are serialized), but only single-threaded use is deterministic.
 */
public final class SeededRandomSource implements RandomSource {
  private final SplittableRandom random;

  private SeededRandomSource(long seed) {
    this.random = new SplittableRandom(seed);
  }

  /** A source seeded with {@code seed}. */
  public static SeededRandomSource of(long seed) {
    return new SeededRandomSource(seed);
  }

  @Override
  public synchronized void nextBytes(byte[] bytes) {
    random.nextBytes(bytes);
  }
}
