package io.pairgate.policy;

import static io.pairgate.AuthMethod.BOOTSTRAP_TOKEN;
import static io.pairgate.AuthMethod.DEVICE_TOKEN;
import static io.pairgate.AuthMethod.NONE;
import static io.pairgate.AuthMethod.PASSWORD;
import static io.pairgate.AuthMethod.SHARED_TOKEN;
import static io.pairgate.AuthMethod.TAILSCALE;
import static io.pairgate.AuthMethod.TRUSTED_PROXY;
import static io.pairgate.UpgradeReason.METADATA_UPGRADE;
import static io.pairgate.UpgradeReason.NOT_PAIRED;
import static io.pairgate.UpgradeReason.ROLE_UPGRADE;
import static io.pairgate.UpgradeReason.SCOPE_UPGRADE;
import static io.pairgate.policy.ClientKind.CLI;
import static io.pairgate.policy.ClientKind.CONTROL_UI;
import static io.pairgate.policy.ClientKind.NATIVE_APP;
import static io.pairgate.policy.ClientKind.NODE_HOST;
import static io.pairgate.policy.ClientKind.OTHER;
import static io.pairgate.policy.ClientKind.WEBCHAT;
import static io.pairgate.policy.Locality.BROWSER_CONTAINER_LOCAL;
import static io.pairgate.policy.Locality.CLI_CONTAINER_LOCAL;
import static io.pairgate.policy.Locality.DIRECT_LOCAL;
import static io.pairgate.policy.Locality.REMOTE;
import static io.pairgate.policy.Locality.SHARED_SECRET_LOOPBACK_LOCAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.pairgate.AuthMethod;
import io.pairgate.UpgradeReason;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * R11.2, table-driven. The rows mirror {@code handshake-auth-helpers.test.ts@01bf2e04} (reference
 * §6.8) and cover every row of the semantics table.
 */
class SilentApprovalTest {

  /** locality, auth, reason, client kind, Origin present, autoApproveLocal → silent? */
  private record Row(String name, Locality locality, AuthMethod auth, UpgradeReason reason,
      ClientKind kind, boolean origin, boolean autoApproveLocal, boolean silent) {}

  private static Row row(String name, Locality l, AuthMethod a, UpgradeReason r, ClientKind k,
      boolean origin, boolean silent) {
    return new Row(name, l, a, r, k, origin, true, silent);
  }

  private static final List<Row> SECTION_6_8 = List.of(
      // allows silent local pairing for not-paired, scope-upgrade and role-upgrade
      row("direct-local not-paired", DIRECT_LOCAL, SHARED_TOKEN, NOT_PAIRED, CLI, false, true),
      row("direct-local scope-upgrade", DIRECT_LOCAL, SHARED_TOKEN, SCOPE_UPGRADE, CLI, false, true),
      row("direct-local role-upgrade", DIRECT_LOCAL, SHARED_TOKEN, ROLE_UPGRADE, CLI, false, true),
      // ...metadata-upgrade gives false for a direct-local non-native client
      row("direct-local non-native metadata-upgrade", DIRECT_LOCAL, SHARED_TOKEN, METADATA_UPGRADE,
          CLI, false, false),
      // allows Control UI or WebChat browser-origin pairing but keeps other browser-origin clients
      // explicit
      row("control-ui with Origin", DIRECT_LOCAL, SHARED_TOKEN, NOT_PAIRED, CONTROL_UI, true, true),
      row("webchat with Origin", DIRECT_LOCAL, SHARED_TOKEN, NOT_PAIRED, WEBCHAT, true, true),
      row("native app with a browser Origin", DIRECT_LOCAL, SHARED_TOKEN, NOT_PAIRED, NATIVE_APP,
          true, false),
      row("cli with a browser Origin", DIRECT_LOCAL, SHARED_TOKEN, ROLE_UPGRADE, CLI, true, false),
      // rejects silent role-upgrade for remote clients
      row("remote role-upgrade", REMOTE, SHARED_TOKEN, ROLE_UPGRADE, CLI, false, false),
      row("remote not-paired", REMOTE, NONE, NOT_PAIRED, NATIVE_APP, false, false),
      // allows Control UI browser-origin local pairing for fresh pairing and upgrades
      row("browser-container control-ui not-paired", BROWSER_CONTAINER_LOCAL, SHARED_TOKEN,
          NOT_PAIRED, CONTROL_UI, true, true),
      row("browser-container control-ui role-upgrade", BROWSER_CONTAINER_LOCAL, SHARED_TOKEN,
          ROLE_UPGRADE, CONTROL_UI, true, true),
      row("browser-container control-ui scope-upgrade", BROWSER_CONTAINER_LOCAL, PASSWORD,
          SCOPE_UPGRADE, CONTROL_UI, true, true),
      // allows silent scope-upgrade, role-upgrade, and metadata-upgrade for
      // shared_secret_loopback_local
      row("ssl scope-upgrade", SHARED_SECRET_LOOPBACK_LOCAL, SHARED_TOKEN, SCOPE_UPGRADE, OTHER,
          false, true),
      row("ssl role-upgrade", SHARED_SECRET_LOOPBACK_LOCAL, SHARED_TOKEN, ROLE_UPGRADE, OTHER,
          false, true),
      row("ssl metadata-upgrade", SHARED_SECRET_LOOPBACK_LOCAL, SHARED_TOKEN, METADATA_UPGRADE,
          OTHER, false, true),
      // metadata-upgrade group
      row("metadata: direct-local native app", DIRECT_LOCAL, NONE, METADATA_UPGRADE, NATIVE_APP,
          false, true),
      row("metadata: direct-local node", DIRECT_LOCAL, NONE, METADATA_UPGRADE, NODE_HOST, false,
          false),
      row("metadata: cli_container_local", CLI_CONTAINER_LOCAL, SHARED_TOKEN, METADATA_UPGRADE,
          CLI, false, true),
      row("metadata: shared_secret_loopback_local", SHARED_SECRET_LOOPBACK_LOCAL, PASSWORD,
          METADATA_UPGRADE, NATIVE_APP, false, true),
      row("metadata: remote", REMOTE, SHARED_TOKEN, METADATA_UPGRADE, NATIVE_APP, false, false),
      row("metadata: browser_container_local control-ui", BROWSER_CONTAINER_LOCAL, SHARED_TOKEN,
          METADATA_UPGRADE, CONTROL_UI, true, false),
      row("metadata: direct-local control-ui", DIRECT_LOCAL, SHARED_TOKEN, METADATA_UPGRADE,
          CONTROL_UI, true, false),
      row("metadata: direct-local browser (origin, native kind)", DIRECT_LOCAL, SHARED_TOKEN,
          METADATA_UPGRADE, NATIVE_APP, true, false));

  /** One row per line of the R11.2 table in docs/semantics.md. */
  private static final List<Row> SEMANTICS_TABLE = List.of(
      // 1 remote → no, whatever else holds
      new Row("1: remote", REMOTE, NONE, NOT_PAIRED, CONTROL_UI, false, true, false),
      // 2 Origin on a non-UI client → no, even for metadata on a container class
      new Row("2: origin on cli", CLI_CONTAINER_LOCAL, SHARED_TOKEN, METADATA_UPGRADE, CLI, true,
          true, false),
      // 3 metadata-upgrade ignores autoApproveLocal
      new Row("3: metadata with autoApproveLocal off", CLI_CONTAINER_LOCAL, SHARED_TOKEN,
          METADATA_UPGRADE, CLI, false, false, true),
      new Row("3: metadata of a native app on direct-local, autoApproveLocal off", DIRECT_LOCAL,
          DEVICE_TOKEN, METADATA_UPGRADE, NATIVE_APP, false, false, true),
      new Row("3: metadata of other on direct-local", DIRECT_LOCAL, NONE, METADATA_UPGRADE, OTHER,
          false, true, false),
      // 4 autoApproveLocal off → no
      new Row("4: not-paired with autoApproveLocal off", DIRECT_LOCAL, NONE, NOT_PAIRED, CLI,
          false, false, false),
      new Row("4: role-upgrade with autoApproveLocal off", CLI_CONTAINER_LOCAL, SHARED_TOKEN,
          ROLE_UPGRADE, CLI, false, false, false),
      // 5 scope-upgrade only with none/shared token/password
      new Row("5: scope-upgrade with none", DIRECT_LOCAL, NONE, SCOPE_UPGRADE, CLI, false, true,
          true),
      new Row("5: scope-upgrade with password", DIRECT_LOCAL, PASSWORD, SCOPE_UPGRADE, CLI, false,
          true, true),
      new Row("5: scope-upgrade with device token", DIRECT_LOCAL, DEVICE_TOKEN, SCOPE_UPGRADE,
          CLI, false, true, false),
      new Row("5: scope-upgrade with trusted proxy", DIRECT_LOCAL, TRUSTED_PROXY, SCOPE_UPGRADE,
          CLI, false, true, false),
      new Row("5: scope-upgrade with tailscale", DIRECT_LOCAL, TAILSCALE, SCOPE_UPGRADE, CLI,
          false, true, false),
      new Row("5: scope-upgrade with bootstrap token", DIRECT_LOCAL, BOOTSTRAP_TOKEN,
          SCOPE_UPGRADE, CLI, false, true, false),
      // 6 otherwise → yes
      new Row("6: not-paired with a device token", DIRECT_LOCAL, DEVICE_TOKEN, NOT_PAIRED,
          NODE_HOST, false, true, true),
      new Row("6: role-upgrade with tailscale", SHARED_SECRET_LOOPBACK_LOCAL, TAILSCALE,
          ROLE_UPGRADE, OTHER, false, true, true));

  @Test
  void section68Rows() {
    check(SECTION_6_8);
  }

  @Test
  void everyRowOfTheSemanticsTable() {
    check(SEMANTICS_TABLE);
  }

  private static void check(List<Row> rows) {
    for (Row r : rows) {
      ApprovalVerdict v = SilentApproval.decide(
          r.locality(), r.auth(), r.reason(), r.kind(), r.origin(), r.autoApproveLocal());
      assertEquals(r.silent(), v.applies(), r.name() + ": " + v.reason());
      assertFalse(v.reason().isEmpty(), r.name());
    }
  }

  @Test
  void remoteIsNeverSilentForAnyInput() {
    for (AuthMethod a : AuthMethod.values()) {
      for (UpgradeReason r : UpgradeReason.values()) {
        for (ClientKind k : ClientKind.values()) {
          for (boolean origin : new boolean[] {false, true}) {
            for (boolean auto : new boolean[] {false, true}) {
              assertFalse(SilentApproval.decide(REMOTE, a, r, k, origin, auto).applies());
            }
          }
        }
      }
    }
  }
}
