package io.pairgate.cli;

import io.pairgate.ClientInfo;
import io.pairgate.PairedDeviceSummary;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopeSet;
import io.pairgate.TokenSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Output helpers: the documented JSON shapes (see docs/cli.md) and plain-text tables. JSON times
 * are ISO-8601 UTC instants; absent values are {@code null}.
 */
final class Out {
  static final ObjectMapper JSON = JsonMapper.builder().build();

  private Out() {}

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /**
   * The document as pretty JSON. Jackson escapes C0 controls (<code>&#92;u001b</code>); the other
   * characters a terminal may act on (DEL, C1 controls, bidirectional and line/paragraph
   * separators), which can only occur inside strings, are escaped as <code>&#92;uXXXX</code> too, so the
   * document is still the same JSON and safe to print.
   */
  static String pretty(JsonNode node) {
    String text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    StringBuilder b = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x7f && dangerous(c)) { // C0 controls inside strings are escaped by Jackson
        if (b == null) {
          b = new StringBuilder(text.length() + 16).append(text, 0, i);
        }
        b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? text : b.toString();
  }

  /**
   * Whether a terminal may act on {@code c} rather than show it: C0 and C1 controls, DEL, and the
   * Unicode bidirectional controls and line/paragraph separators that can reorder or hide text.
   */
  static boolean dangerous(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f || c == 0x061c
        || c == 0x2028 || c == 0x2029;
  }

  /**
   * {@code s} with every character a terminal may act on made visible (issue 14 item 9): ESC is
   * {@code \x1b}, a newline {@code \n}, a bidirectional override <code>&#92;u202e</code>; a backslash
   * is doubled so the escapes are unambiguous. For every device-controlled string in human output
   * (display names, platforms, labels, client ids, addresses, file names, error text).
   */
  static String safe(@Nullable String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String esc = null;
      if (c == '\\') {
        esc = "\\\\";
      } else if (c == '\n') {
        esc = "\\n";
      } else if (c == '\r') {
        esc = "\\r";
      } else if (c == '\t') {
        esc = "\\t";
      } else if (dangerous(c)) {
        esc = c <= 0xff ? String.format(java.util.Locale.ROOT, "\\x%02x", (int) c)
            : String.format(java.util.Locale.ROOT, "\\u%04x", (int) c);
      }
      if (esc != null) {
        if (b == null) {
          b = new StringBuilder(s.length() + 8).append(s, 0, i);
        }
        b.append(esc);
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? s : b.toString();
  }

  static ArrayNode strings(ArrayNode a, Collection<?> values) {
    for (Object v : values) {
      a.add(String.valueOf(v));
    }
    return a;
  }

  static void time(ObjectNode o, String name, @Nullable Instant t) {
    if (t == null) {
      o.putNull(name);
    } else {
      o.put(name, t.toString());
    }
  }

  static ObjectNode client(ClientInfo c) {
    ObjectNode o = object();
    o.put("clientId", c.clientId());
    o.put("clientMode", c.clientMode());
    o.put("platform", c.platform());
    o.put("deviceFamily", c.deviceFamily());
    o.put("displayName", c.displayName());
    o.put("version", c.version());
    return o;
  }

  /** A pending request, with the device's approved baseline when it is paired with this key. */
  static ObjectNode pending(
      PendingRequest p, @Nullable PairedDeviceSummary paired, List<Scope> missing) {
    ObjectNode o = object();
    o.put("requestId", p.requestId().value());
    o.put("deviceId", p.deviceId().value());
    o.put("reason", p.reason().wireName());
    o.put("role", p.role().name());
    strings(o.putArray("roles"), p.roles());
    strings(o.putArray("scopes"), p.scopes().names());
    boolean sameKey = paired != null && paired.publicKey().equals(p.publicKey());
    strings(o.putArray("approvedRoles"), sameKey ? paired.roles() : List.of());
    if (sameKey) {
      strings(o.putArray("approvedScopes"), paired.approvedScopes().names());
    } else {
      o.putNull("approvedScopes");
    }
    strings(o.putArray("missingScopes"), missing);
    o.set("client", client(p.client()));
    o.put("remoteAddress", p.remoteAddress());
    o.put("browserOrigin", p.browserOrigin());
    time(o, "createdAt", p.createdAt());
    time(o, "refreshedAt", p.refreshedAt());
    time(o, "expiresAt", p.expiresAt());
    o.put("repair", p.repair());
    return o;
  }

  static ObjectNode token(TokenSummary t) {
    ObjectNode o = object();
    o.put("role", t.role().name());
    strings(o.putArray("scopes"), t.scopes().names());
    time(o, "createdAt", t.createdAt());
    time(o, "rotatedAt", t.rotatedAt());
    time(o, "revokedAt", t.revokedAt());
    time(o, "lastUsedAt", t.lastUsedAt());
    return o;
  }

  static ObjectNode paired(PairedDeviceSummary d, boolean blocked) {
    ObjectNode o = object();
    o.put("deviceId", d.deviceId().value());
    o.put("publicKey", d.publicKey().base64Url());
    o.put("label", d.label());
    strings(o.putArray("roles"), d.roles());
    strings(o.putArray("approvedScopes"), d.approvedScopes().names());
    ArrayNode tokens = o.putArray("tokens");
    for (TokenSummary t : d.tokens()) {
      tokens.add(token(t));
    }
    o.set("client", client(d.client()));
    time(o, "createdAt", d.createdAt());
    time(o, "approvedAt", d.approvedAt());
    time(o, "lastSeenAt", d.lastSeenAt());
    o.put("lastSeenReason", d.lastSeenReason());
    o.put("approvedVia", d.approvedVia());
    o.put("remoteAddress", d.remoteAddress());
    o.put("browserOrigin", d.browserOrigin());
    o.put("blocked", blocked);
    return o;
  }

  /** A short human age: {@code 42s}, {@code 5m}, {@code 3h}, {@code 2d}. */
  static String age(Instant then, Instant now) {
    long s = Math.max(0, Duration.between(then, now).getSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 7200) {
      return s / 60 + "m";
    }
    if (s < 172_800) {
      return s / 3600 + "h";
    }
    return s / 86_400 + "d";
  }

  static String scopes(@Nullable ScopeSet s) {
    if (s == null) {
      return "-";
    }
    return s.isEmpty() ? "(none)" : s.toString();
  }

  static String roles(Collection<Role> roles) {
    if (roles.isEmpty()) {
      return "-";
    }
    List<String> names = new ArrayList<>();
    for (Role r : roles) {
      names.add(r.name());
    }
    return String.join(",", names);
  }

  static String shortId(String id) {
    return id.length() > 12 ? id.substring(0, 12) : id;
  }

  static String orDash(String s) {
    return s.isEmpty() ? "-" : s;
  }

  /** A device-controlled string for human output: quoted, with controls made visible. */
  static String quoted(String s) {
    return "\"" + safe(s) + "\"";
  }

  /** A plain-text table with left-aligned columns separated by two spaces. */
  static final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    Table(String... header) {
      this.columns = header.length;
      rows.add(header);
    }

    /** Adds a row; every cell is made {@linkplain Out#safe safe} for the terminal. */
    Table row(String... cells) {
      if (cells.length != columns) {
        throw new IllegalArgumentException("expected " + columns + " cells");
      }
      String[] safe = new String[cells.length];
      for (int i = 0; i < cells.length; i++) {
        safe[i] = Out.safe(cells[i]);
      }
      rows.add(safe);
      return this;
    }

    List<String> lines(String indent) {
      int[] w = new int[columns];
      for (String[] r : rows) {
        for (int i = 0; i < columns; i++) {
          w[i] = Math.max(w[i], r[i].length());
        }
      }
      List<String> out = new ArrayList<>();
      for (String[] r : rows) {
        StringBuilder b = new StringBuilder(indent);
        for (int i = 0; i < columns; i++) {
          b.append(r[i]);
          if (i < columns - 1) {
            b.append(" ".repeat(w[i] - r[i].length() + 2));
          }
        }
        out.add(b.toString().stripTrailing());
      }
      return out;
    }
  }
}
