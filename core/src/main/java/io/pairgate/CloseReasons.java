package io.pairgate;

import java.nio.charset.StandardCharsets;

/** WebSocket close reasons that fit the wire (RFC 6455: at most 123 UTF-8 bytes). */
final class CloseReasons {
  /** The most UTF-8 bytes a close reason may have (125-byte control payload minus the code). */
  static final int MAX_BYTES = 123;

  private CloseReasons() {}

  /** {@code text} cut to at most {@code maxBytes} UTF-8 bytes on a code-point boundary. */
  static String cut(String text, int maxBytes) {
    int bytes = 0;
    int i = 0;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      int n = utf8Length(cp);
      if (bytes + n > maxBytes) {
        break;
      }
      bytes += n;
      i += Character.charCount(cp);
    }
    return text.substring(0, i);
  }

  /**
   * {@code prefix + text + suffix} within {@link #MAX_BYTES}: only the text is shortened (on a
   * code-point boundary, trailing spaces dropped), never the prefix or the suffix. If prefix and
   * suffix alone do not fit, the result is {@code fallback} cut to fit.
   */
  static String withWholeSuffix(String prefix, String text, String suffix, String fallback) {
    int fixed = prefix.getBytes(StandardCharsets.UTF_8).length
        + suffix.getBytes(StandardCharsets.UTF_8).length;
    if (fixed > MAX_BYTES) {
      return cut(fallback, MAX_BYTES);
    }
    String body = cut(text, MAX_BYTES - fixed);
    if (body.length() < text.length()) {
      body = body.stripTrailing();
    }
    return prefix + body + suffix;
  }

  private static int utf8Length(int cp) {
    if (cp < 0x80) {
      return 1;
    } else if (cp < 0x800) {
      return 2;
    } else if (cp < 0x10000) {
      // a lone surrogate is encoded by Java's UTF-8 encoder as one '?' byte; count it as 3 to
      // stay on the safe side
      return 3;
    }
    return 4;
  }
}
