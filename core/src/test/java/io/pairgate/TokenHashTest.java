package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** R7.2: the stored form of a token secret, and where the secret may appear. */
class TokenHashTest {
  private static final String SECRET = "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg";

  @Test
  void hashIsSha256OfTheSecretText_inItsTextForm() {
    // SHA-256("n4bQ…Cgg") in unpadded base64url, computed independently (python hashlib)
    assertEquals("sha256:AxEzlKmhZBjaLdwrd84BTbBf6JMRNi9ZejD5zz0Ideg",
        TokenHash.of(SECRET).encoded());
    assertEquals(TokenHash.of(SECRET), TokenHash.parse(TokenHash.of(SECRET).encoded()));
  }

  @Test
  void matchesOnlyTheExactSecret_anyOtherInputIsAMismatchNeverAnException() {
    TokenHash h = TokenHash.of(SECRET);
    assertTrue(h.matches(SECRET));
    for (String other : List.of("", SECRET + "x", SECRET.substring(1), SECRET.toUpperCase(),
        "é".repeat(43), "\u0000".repeat(43), h.encoded(), "x".repeat(100_000))) {
      assertFalse(h.matches(other), other.length() + " chars");
    }
  }

  @Test
  void matchesAnySecretText_acrossTheHashingBufferAndOutsideAscii() {
    // matches() hashes ASCII text through a fixed per-thread buffer and anything else through
    // its UTF-8 bytes: both must give the digest of() gives, at every length around the buffer
    for (String unit : List.of("a", "é", "\uD83D\uDE00", "\u0000")) {
      for (int n : new int[] {0, 1, 42, 43, 127, 128, 129, 255, 256, 257, 1000}) {
        String secret = unit.repeat(n);
        TokenHash h = TokenHash.of(secret);
        assertTrue(h.matches(secret), unit + " x " + n);
        assertTrue(h.matches(new String(secret.toCharArray())), "a fresh copy, " + unit + " x " + n);
        assertFalse(h.matches(secret + "a"), unit + " x " + n + " + a");
        if (n > 0) {
          assertFalse(h.matches(secret.substring(0, secret.length() - 1) + "b"),
              unit + " x " + n + ", last char changed");
        }
      }
    }
  }

  @Test
  void parseRejectsAnythingElse_withoutQuotingIt() {
    String enc = TokenHash.of(SECRET).encoded();
    for (String bad : List.of("", SECRET, "sha512:" + enc.substring(7), enc + "A",
        enc.substring(0, enc.length() - 1) + "!", "sha256:" + "A".repeat(43) + "=")) {
      InvalidArgumentException e =
          assertThrows(InvalidArgumentException.class, () -> TokenHash.parse(bad));
      if (bad.length() > 8) {
        assertFalse(e.getMessage().contains(bad.substring(7, 15)), e.getMessage());
      }
    }
  }

  @Test
  void noStringFormShowsASecretOrHash() {
    TokenHash h = TokenHash.of(SECRET);
    TokenSecret s = TokenSecret.of(SECRET);
    DeviceToken t = new DeviceToken(Role.OPERATOR, ScopeSet.of("operator.read"), h,
        Instant.EPOCH, null, null, null);
    ConnectResult.Allowed a = new ConnectResult.Allowed("d", Role.OPERATOR,
        ScopeSet.of("operator.read"), t, Optional.of(s), true);
    IssuedToken issued = new IssuedToken(DeviceId.parse("0".repeat(64)), t, s);
    String hashText = h.encoded().substring(7);
    for (Object o : List.of(h, s, t, a, issued)) {
      assertFalse(o.toString().contains(SECRET), o.getClass().getSimpleName());
      assertFalse(o.toString().contains(hashText), o.getClass().getSimpleName());
    }
    assertEquals(s, TokenSecret.of(SECRET));
    assertNotEquals(s, TokenSecret.of(SECRET + "x"));
    assertEquals(h, s.hash());
  }

  @Test
  void aTokenAwaitingIssueMatchesNothing() {
    DeviceToken t = new DeviceToken(Role.OPERATOR, ScopeSet.empty(), null, Instant.EPOCH, null,
        null, null);
    assertTrue(t.awaitingIssue());
    assertFalse(t.matches(""));
    assertFalse(t.matches(SECRET));
    assertFalse(t.toString().contains("redacted"), t.toString());
  }
}
