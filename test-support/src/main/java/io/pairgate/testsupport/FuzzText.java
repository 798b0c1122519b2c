package io.pairgate.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Helpers for the {@code @FuzzTest} targets of every module (core, testkit, store-json,
 * store-jdbc): raw fuzzer bytes become text fields (one per line, so the committed seed files
 * stay readable), and the checks every target shares on error text.
 */
public final class FuzzText {
  private FuzzText() {}

  /**
   * Splits the input (decoded as UTF-8, malformed sequences replaced) at {@code '\n'} into exactly
   * {@code n} fields: missing ones are empty, the last keeps the rest of the input.
   */
  public static List<String> fields(byte[] data, int n) {
    String s = new String(data, StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>(n);
    int from = 0;
    for (int i = 0; i < n - 1; i++) {
      int nl = s.indexOf('\n', from);
      if (nl < 0) {
        out.add(s.substring(Math.min(from, s.length())));
        from = s.length() + 1;
      } else {
        out.add(s.substring(from, nl));
        from = nl + 1;
      }
    }
    out.add(from <= s.length() ? s.substring(from) : "");
    return out;
  }

  /**
   * Fails if {@code message} repeats a 12-character stretch of {@code input} that looks like
   * encoded data (it holds a digit, an upper-case letter or one of {@code +/=_}): error text may
   * name a field, never quote the secret or key material that was in it.
   */
  public static void assertNoEcho(String message, String input) {
    int w = 12;
    for (int i = 0; i + w <= input.length(); i++) {
      String win = input.substring(i, i + w);
      if (looksEncoded(win) && message.contains(win)) {
        fail("error text quotes the input (" + win + "): " + message);
      }
    }
  }

  private static boolean looksEncoded(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '+' || c == '/' || c == '='
          || c == '_') {
        return true;
      }
    }
    return false;
  }

  /**
   * Fails if the text holds a control character (C0, DEL or C1, which terminals read as escape
   * sequences) or is longer than {@code max}: text shown to operators is safe to print and
   * bounded whatever the input was.
   */
  public static void assertSafeText(String text, int max) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c)) {
        fail("control character U+" + String.format("%04X", (int) c) + " in: "
            + text.replaceAll("\\p{Cntrl}", "?"));
      }
    }
    assertTrue(text.length() <= max, () -> "text of " + text.length() + " chars exceeds " + max);
  }

  /** The bytes with every {@code from} replaced by {@code to} (both ASCII). */
  public static byte[] replace(byte[] data, String from, String to) {
    String s = new String(data, StandardCharsets.ISO_8859_1);
    return s.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
  }
}
