package io.pairgate.gateway.internal;

import java.nio.charset.StandardCharsets;

/** Close reasons cut to the 123 UTF-8 bytes a close frame can carry, on a code-point boundary. */
final class Reasons {
  private Reasons() {}

  static String cut(String s) {
    if (s.getBytes(StandardCharsets.UTF_8).length <= 123) {
      return s;
    }
    int bytes = 0;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + n > 123) {
        break;
      }
      bytes += n;
      i += Character.charCount(cp);
    }
    return s.substring(0, i);
  }
}
