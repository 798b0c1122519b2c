package io.pairgate.audit;

import io.pairgate.RequestId;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Builds an ordered field map and formats values. */
final class Fields {
  final Map<String, String> map = new LinkedHashMap<>();

  Fields put(String key, String value) {
    map.put(key, value);
    return this;
  }

  /** The id's text; {@code ""} for none, as before ids were typed. */
  Fields put(String key, @Nullable RequestId id) {
    return put(key, RequestId.valueOrEmpty(id));
  }

  Fields put(String key, Role role) {
    return put(key, role.name());
  }

  Fields put(String key, ScopeSet scopes) {
    return put(key, "[" + scopes + "]");
  }

  Fields put(String key, List<?> values) {
    StringBuilder b = new StringBuilder("[");
    for (Object v : values) {
      if (b.length() > 1) {
        b.append(',');
      }
      b.append(v);
    }
    return put(key, b.append(']').toString());
  }

  /** The value as written: bare when safe, else double-quoted with escapes. */
  static String value(String v) {
    boolean plain = !v.isEmpty();
    for (int i = 0; plain && i < v.length(); i++) {
      char c = v.charAt(i);
      plain = c > 0x20 && c != 0x7f && c != '"' && c != '=' && c != '\\';
    }
    if (plain) {
      return v;
    }
    StringBuilder b = new StringBuilder(v.length() + 2).append('"');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
