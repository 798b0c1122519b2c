package io.pairgate.spi;

import java.security.SecureRandom;

/**
 * Where a {@link io.pairgate.PairingService} gets randomness: token secrets, request ids and
 * challenge nonces. Production uses {@link #secure()}; deterministic tests may supply a seeded
 * source so that runs repeat byte for byte.
 */
@FunctionalInterface
public interface RandomSource {

  /** Fills {@code bytes} with random bytes. */
  void nextBytes(byte[] bytes);

  /** A {@link SecureRandom}-backed source, suitable for production. */
  static RandomSource secure() {
    SecureRandom random = new SecureRandom();
    return random::nextBytes;
  }
}
