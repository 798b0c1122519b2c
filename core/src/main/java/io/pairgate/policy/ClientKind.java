package io.pairgate.policy;

import io.pairgate.ClientInfo;
import java.util.Locale;

/**
 * What sort of program a client is, from its self-description ({@link ClientInfo#clientId()} and
 * {@link ClientInfo#clientMode()}). The classification is chosen by the client and is not
 * authenticated, so no trust decision rests on it: locality (R10.5) and silent approval (R11.2)
 * never consult it (a client that calls itself {@code openclaw-control-ui} gains nothing by it).
 * It is shown in explanations, and a {@link StandingApproval} may use it only to <em>narrow</em>
 * which requests it approves, on top of its address ranges, auth methods and scope ceiling.
 */
public enum ClientKind {
  /** The gateway's browser Control UI: client id {@code control-ui} (or {@code openclaw-control-ui}). */
  CONTROL_UI,
  /** A browser chat client: client mode {@code webchat}. */
  WEBCHAT,
  /** The command-line tool: client id {@code cli} in mode {@code cli}. */
  CLI,
  /**
   * A native app with a user interface: mode {@code ui} on a macOS ({@code macos}, {@code darwin},
   * {@code mac}, {@code osx}), Linux, iOS or Android platform, as in OpenClaw (R10.6). A
   * {@code ui} client on any other platform (or none) is {@link #OTHER}.
   */
  NATIVE_APP,
  /** A node host: mode {@code node}. */
  NODE_HOST,
  /** A backend helper on the gateway's own host: mode {@code backend}. */
  BACKEND,
  /** Anything else. */
  OTHER;

  /**
   * Classifies a client by its id and mode (both compared case-insensitively) and, for mode
   * {@code ui}, its platform.
   */
  public static ClientKind of(ClientInfo client) {
    String id = client.clientId().strip().toLowerCase(Locale.ROOT);
    String mode = client.clientMode().strip().toLowerCase(Locale.ROOT);
    if (id.equals("control-ui") || id.equals("openclaw-control-ui")) {
      return CONTROL_UI;
    }
    if (mode.equals("webchat")) {
      return WEBCHAT;
    }
    if (id.equals("cli") && mode.equals("cli")) {
      return CLI;
    }
    switch (mode) {
      case "ui":
        return nativePlatform(client.platform()) ? NATIVE_APP : OTHER;
      case "node":
        return NODE_HOST;
      case "backend":
        return BACKEND;
      default:
        return OTHER;
    }
  }

  /**
   * Whether a platform names macOS, Linux, iOS or Android: its first word (ASCII-lowercased, so
   * {@code "macOS 15.0"} is {@code macos}) is one of them or a macOS alias.
   */
  static boolean nativePlatform(String platform) {
    String p = platform.strip().toLowerCase(Locale.ROOT);
    int end = 0;
    while (end < p.length() && p.charAt(end) >= 'a' && p.charAt(end) <= 'z') {
      end++;
    }
    return switch (p.substring(0, end)) {
      case "macos", "darwin", "mac", "osx", "linux", "ios", "android" -> true;
      default -> false;
    };
  }

  /** Whether this is a browser UI ({@link #CONTROL_UI} or {@link #WEBCHAT}). */
  public boolean isBrowserUi() {
    return this == CONTROL_UI || this == WEBCHAT;
  }

  /** Kebab-case name, e.g. {@code control-ui}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
