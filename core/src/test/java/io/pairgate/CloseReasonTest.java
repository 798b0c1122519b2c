package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The wire-safe close reasons of {@link ConnectResult} (RFC 6455: at most 123 UTF-8 bytes). */
class CloseReasonTest {

  private static ConnectResult.PairingRequired required(UpgradeReason reason, String requestId) {
    return new ConnectResult.PairingRequired("dev", reason, RequestId.of(requestId),
        ConnectResult.RequestChange.CREATED, Role.OPERATOR, ScopeSet.of("operator.read"),
        List.of(), null, List.of(), Duration.ofSeconds(1));
  }

  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /** Decodes strictly: a reason cut inside a code point would not decode. */
  private static void assertWellFormed(String s) throws CharacterCodingException {
    StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        assertTrue(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)),
            "a lone high surrogate at " + i + " in " + s);
        i++;
      } else {
        assertTrue(!Character.isLowSurrogate(c), "a lone low surrogate at " + i);
      }
    }
  }

  @Test
  void scopeUpgradeReasonKeepsTheWholeRequestIdWhereOpenClawCutIt() throws Exception {
    // OpenClaw cut this very reason to 120 bytes and lost the id's last characters (reference §10.1)
    String id = "ea47304e-9b5e-4ff2-b295-88a748450abc";
    String reason = required(UpgradeReason.SCOPE_UPGRADE, id).closeReason();
    assertTrue(utf8(reason) <= 123, reason + " is " + utf8(reason) + " bytes");
    assertTrue(reason.startsWith("pairing required: device is asking for more scopes"), reason);
    assertTrue(reason.endsWith(" (requestId: " + id + ")"), reason);
    assertWellFormed(reason);
  }

  @Test
  void shortReasonIsUnchanged() {
    String id = UUID.randomUUID().toString();
    assertEquals("pairing required: device is not approved yet (requestId: " + id + ")",
        required(UpgradeReason.NOT_PAIRED, id).closeReason());
  }

  @Test
  void everyReasonAndIdLengthFitsAndEndsWithTheWholeId() throws Exception {
    for (UpgradeReason r : UpgradeReason.values()) {
      for (int len = 1; len <= InputLimits.REQUEST_ID; len++) {
        String id = "r".repeat(len);
        String reason = required(r, id).closeReason();
        assertTrue(utf8(reason) <= 123, reason);
        assertTrue(reason.endsWith("(requestId: " + id + ")"), reason);
        assertTrue(reason.startsWith("pairing required: "), reason);
        assertWellFormed(reason);
      }
    }
  }

  @Test
  void noRequestIdIsTooLongForTheCloseReason() {
    // an id longer than InputLimits.REQUEST_ID cannot be made, so every id fits (the loop above
    // covers every length up to the limit)
    assertThrows(InvalidArgumentException.class,
        () -> required(UpgradeReason.NOT_PAIRED, "x".repeat(InputLimits.REQUEST_ID + 1)));
    String longest = required(UpgradeReason.METADATA_UPGRADE, "x".repeat(InputLimits.REQUEST_ID))
        .closeReason();
    assertTrue(longest.endsWith("(requestId: " + "x".repeat(InputLimits.REQUEST_ID) + ")"), longest);
  }

  @Test
  void theGatewaysOwnReasonsAreMadeWireSafeByTheSameRule() {
    assertEquals("try again later", ConnectResult.wireSafeCloseReason("try again later"));
    String cut = ConnectResult.wireSafeCloseReason("malformed JSON: " + "\u20ac".repeat(60));
    assertTrue(utf8(cut) <= ConnectResult.MAX_CLOSE_REASON_BYTES && utf8(cut) > 120, cut);
    assertTrue(cut.startsWith("malformed JSON: \u20ac"));
    assertTrue(cut.chars().skip(16).allMatch(ch -> ch == '\u20ac'), "whole characters only");
  }

  @Test
  void textIsCutOnCodePointBoundariesNeverInsideOne() throws Exception {
    // 1-, 2-, 3- and 4-byte code points at every alignment
    String[] units = {"a", "é", "€", "😀"};
    for (String u : units) {
      for (int pad = 0; pad < 4; pad++) {
        String text = "x".repeat(pad) + u.repeat(130);
        String cut = CloseReasons.cut(text, 123);
        assertTrue(utf8(cut) <= 123 && utf8(cut) > 119, utf8(cut) + " bytes");
        assertWellFormed(cut);
        String whole = CloseReasons.withWholeSuffix("p: ", text, " (requestId: abc)", "f");
        assertTrue(utf8(whole) <= 123);
        assertTrue(whole.startsWith("p: ") && whole.endsWith(" (requestId: abc)"));
        assertWellFormed(whole);
      }
    }
  }

  @Test
  void rejectedReasonIsCutToFit() throws Exception {
    ConnectResult.Rejected r =
        new ConnectResult.Rejected("dev", ErrorCode.BLOCKED, "blocked 😀 ".repeat(40));
    assertTrue(utf8(r.closeReason()) <= 123);
    assertTrue(r.message().startsWith(r.closeReason()));
    assertWellFormed(r.closeReason());
    assertEquals("device is blocked",
        new ConnectResult.Rejected("d", ErrorCode.BLOCKED, "device is blocked").closeReason());
  }
}
