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
  /** A native app with a user interface (macOS, iOS, Android, Linux …): mode {@code ui}. */
  NATIVE_APP,
  /** A node host: mode {@code node}. */
  NODE_HOST,
  /** A backend helper on the gateway's own host: mode {@code backend}. */
  BACKEND,
  /** Anything else. */
  OTHER;

  /** Classifies a client by its id and mode (both compared case-insensitively). */
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
        return NATIVE_APP;
      case "node":
        return NODE_HOST;
      case "backend":
        return BACKEND;
      default:
        return OTHER;
    }
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
