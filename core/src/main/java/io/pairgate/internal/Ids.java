package io.pairgate.internal;

import io.pairgate.spi.RandomSource;
import java.util.Base64;

/** Owns the format of random request ids and token secrets drawn from a {@link RandomSource}. */
final class Ids {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Ids() {}

  /** A version-4 UUID string, lowercase with dashes. */
  static String uuid(RandomSource random) {
    byte[] b = new byte[16];
    random.nextBytes(b);
    b[6] = (byte) ((b[6] & 0x0f) | 0x40);
    b[8] = (byte) ((b[8] & 0x3f) | 0x80);
    StringBuilder s = new StringBuilder(36);
    for (int i = 0; i < 16; i++) {
      if (i == 4 || i == 6 || i == 8 || i == 10) {
        s.append('-');
      }
      s.append(HEX[(b[i] >> 4) & 0xf]).append(HEX[b[i] & 0xf]);
    }
    return s.toString();
  }

  /** 32 random bytes in unpadded base64url (43 characters). */
  static String tokenSecret(RandomSource random) {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
