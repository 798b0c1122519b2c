package io.pairgate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * The stored form of a device token's secret: SHA-256 of the secret's UTF-8 bytes. Stores keep
 * only this, never the secret; a presented secret is hashed and compared with
 * {@link #matches(String)} in constant time. Its text form ({@link #encoded()}) is
 * {@code sha256:} followed by the 32-byte digest in unpadded base64url (50 characters).
 *
 * <p>Why a plain hash and no per-store key: a token secret is 32 random bytes, so a stolen hash
 * cannot be reversed or guessed (there is nothing to brute-force), and a keyed hash would only help
 * if its key were kept apart from the hashes, which a file or database store cannot do. See
 * {@code docs/security-at-rest.md}.
 */
public final class TokenHash {
  /** The prefix of {@link #encoded()}. */
  public static final String PREFIX = "sha256:";

  private static final int LENGTH = 32;
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(TokenHash::sha256);

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  private final byte[] digest;

  private TokenHash(byte[] digest) {
    this.digest = digest;
  }

  /** The hash of {@code secret} (any string; OpenClaw's older 32-hex-digit tokens included). */
  public static TokenHash of(String secret) {
    return new TokenHash(digest(secret));
  }

  /**
   * Parses {@link #encoded()}. The error message never repeats the input.
   *
   * @throws InvalidArgumentException if {@code encoded} is not {@code sha256:} and 43 base64url
   *     characters of a 32-byte digest
   */
  public static TokenHash parse(String encoded) {
    if (!encoded.startsWith(PREFIX) || encoded.length() != PREFIX.length() + 43) {
      throw new InvalidArgumentException(
          "not a token hash (expected \"" + PREFIX + "\" and 43 base64url characters)");
    }
    String b64 = encoded.substring(PREFIX.length());
    byte[] d;
    try {
      d = Base64.getUrlDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException("not a token hash (malformed base64url)");
    }
    if (d.length != LENGTH || !B64.encodeToString(d).equals(b64)) {
      throw new InvalidArgumentException("not a token hash (not a canonical 32-byte digest)");
    }
    return new TokenHash(d);
  }

  /**
   * Whether {@code presented} is the secret this is the hash of. The presented value is hashed
   * and the digests are compared in constant time ({@link MessageDigest#isEqual}); any string,
   * of any length or content, is a plain mismatch, never an exception.
   */
  public boolean matches(String presented) {
    Scratch s = SCRATCH.get();
    MessageDigest md = s.md;
    md.reset();
    int n = presented.length();
    byte[] buf = s.buf;
    // An ASCII string's UTF-8 bytes are its chars: encode into the thread's buffer, no garbage.
    // The branches depend on the presented value only, never on the stored digest.
    for (int off = 0; off < n; off += buf.length) {
      int end = Math.min(n, off + buf.length);
      for (int i = off; i < end; i++) {
        char c = presented.charAt(i);
        if (c >= 0x80) {
          return MessageDigest.isEqual(digest, digest(presented));
        }
        buf[i - off] = (byte) c;
      }
      md.update(buf, 0, end - off);
    }
    try {
      md.digest(s.out, 0, LENGTH);
    } catch (java.security.DigestException e) {
      throw new IllegalStateException("SHA-256 digest of 32 bytes", e);
    }
    return MessageDigest.isEqual(digest, s.out);
  }

  /** Per-thread scratch space of {@link #matches}: a digest, an input buffer, an output buffer. */
  private static final class Scratch {
    final MessageDigest md = sha256();
    final byte[] buf = new byte[128];
    final byte[] out = new byte[LENGTH];
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** {@code sha256:<base64url digest>}: what stores write. */
  public String encoded() {
    return PREFIX + B64.encodeToString(digest);
  }

  private static byte[] digest(String s) {
    MessageDigest md = SHA256.get();
    md.reset();
    return md.digest(s.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenHash h && MessageDigest.isEqual(digest, h.digest);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(digest);
  }

  /** Redacted: a hash is not a secret, but it has no business in logs either. */
  @Override
  public String toString() {
    return "TokenHash[" + PREFIX + "<redacted>]";
  }
}
