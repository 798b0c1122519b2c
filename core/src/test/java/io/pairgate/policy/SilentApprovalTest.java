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
import static io.pairgate.policy.Locality.BROWSER_CONTAINER_LOCAL;
import static io.pairgate.policy.Locality.DIRECT_LOCAL;
import static io.pairgate.policy.Locality.PROXIED_LOCAL;
import static io.pairgate.policy.Locality.REMOTE;
import static io.pairgate.policy.Locality.SHARED_SECRET_LOOPBACK_LOCAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.pairgate.AuthMethod;
import io.pairgate.UpgradeReason;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * R11.2, table-driven: one or more rows per line of the semantics table. The rule no longer takes
 * the client's self-described kind (issue #14): rows that differed only by kind are gone.
 */
class SilentApprovalTest {

  /** locality, auth, reason, Origin present, same-host proxy, autoApproveLocal → silent? */
  private record Row(String name, Locality locality, AuthMethod auth, UpgradeReason reason,
      boolean origin, boolean sameHost, boolean autoApproveLocal, boolean silent) {}

  private static final List<Row> SEMANTICS_TABLE = List.of(
      // 1 remote → no, whatever else holds
      new Row("1: remote", REMOTE, SHARED_TOKEN, NOT_PAIRED, false, false, true, false),
      new Row("1: remote metadata", REMOTE, SHARED_TOKEN, METADATA_UPGRADE, false, false, true,
          false),
      // 2 proxied-local needs a same-host proxy
      new Row("2: forwarded loopback", PROXIED_LOCAL, SHARED_TOKEN, NOT_PAIRED, false, false,
          true, false),
      new Row("2: forwarded loopback metadata", PROXIED_LOCAL, SHARED_TOKEN, METADATA_UPGRADE,
          false, false, true, false),
      new Row("2: same-host proxy", PROXIED_LOCAL, SHARED_TOKEN, NOT_PAIRED, false, true, true,
          true),
      // 3 a verified credential is needed; none never suffices
      new Row("3: no credential not-paired", DIRECT_LOCAL, NONE, NOT_PAIRED, false, false, true,
          false),
      new Row("3: no credential metadata", DIRECT_LOCAL, NONE, METADATA_UPGRADE, false, false,
          true, false),
      new Row("3: no credential scope", DIRECT_LOCAL, NONE, SCOPE_UPGRADE, false, false, true,
          false),
      new Row("3: tailscale", SHARED_SECRET_LOOPBACK_LOCAL, TAILSCALE, ROLE_UPGRADE, false, false,
          true, false),
      new Row("3: trusted-proxy auth", DIRECT_LOCAL, TRUSTED_PROXY, SCOPE_UPGRADE, false, false,
          true, false),
      new Row("3: bootstrap token", DIRECT_LOCAL, BOOTSTRAP_TOKEN, NOT_PAIRED, false, false, true,
          false),
      new Row("3: device token is no credential for a first pairing", DIRECT_LOCAL, DEVICE_TOKEN,
          NOT_PAIRED, false, false, true, false),
      new Row("3: device token is no credential for a scope upgrade", DIRECT_LOCAL, DEVICE_TOKEN,
          SCOPE_UPGRADE, false, false, true, false),
      // 4 metadata-upgrade: silent iff no Origin, ignoring autoApproveLocal
      new Row("4: metadata with the device's own token", DIRECT_LOCAL, DEVICE_TOKEN,
          METADATA_UPGRADE, false, false, false, true),
      new Row("4: metadata with shared token, autoApproveLocal off", SHARED_SECRET_LOOPBACK_LOCAL,
          SHARED_TOKEN, METADATA_UPGRADE, false, false, false, true),
      new Row("4: metadata of a browser", DIRECT_LOCAL, SHARED_TOKEN, METADATA_UPGRADE, true,
          false, true, false),
      new Row("4: metadata of a container browser", BROWSER_CONTAINER_LOCAL, PASSWORD,
          METADATA_UPGRADE, true, false, true, false),
      // 5 autoApproveLocal off (the default) → no
      new Row("5: not-paired, autoApproveLocal off", DIRECT_LOCAL, SHARED_TOKEN, NOT_PAIRED,
          false, false, false, false),
      new Row("5: role-upgrade, autoApproveLocal off", SHARED_SECRET_LOOPBACK_LOCAL, PASSWORD,
          ROLE_UPGRADE, false, false, false, false),
      // 6 otherwise → yes
      new Row("6: not-paired", DIRECT_LOCAL, SHARED_TOKEN, NOT_PAIRED, false, false, true, true),
      new Row("6: role-upgrade", DIRECT_LOCAL, PASSWORD, ROLE_UPGRADE, false, false, true, true),
      new Row("6: scope-upgrade", SHARED_SECRET_LOOPBACK_LOCAL, SHARED_TOKEN, SCOPE_UPGRADE,
          false, false, true, true),
      new Row("6: own-origin browser", DIRECT_LOCAL, SHARED_TOKEN, NOT_PAIRED, true, false, true,
          true),
      new Row("6: container browser", BROWSER_CONTAINER_LOCAL, SHARED_TOKEN, ROLE_UPGRADE, true,
          false, true, true));

  @Test
  void everyRowOfTheSemanticsTable() {
    for (Row r : SEMANTICS_TABLE) {
      ApprovalVerdict v = SilentApproval.decide(r.locality(), r.auth(), r.reason(), r.origin(),
          r.sameHost(), r.autoApproveLocal());
      assertEquals(r.silent(), v.applies(), r.name() + ": " + v.reason());
      assertFalse(v.reason().isEmpty(), r.name());
    }
  }

  @Test
  void remoteAndUncredentialedAreNeverSilentForAnyInput() {
    for (AuthMethod a : AuthMethod.values()) {
      for (UpgradeReason r : UpgradeReason.values()) {
        for (boolean origin : new boolean[] {false, true}) {
          for (boolean sameHost : new boolean[] {false, true}) {
            for (boolean auto : new boolean[] {false, true}) {
              assertFalse(SilentApproval.decide(REMOTE, a, r, origin, sameHost, auto).applies());
              for (Locality l : Locality.values()) {
                assertFalse(SilentApproval.decide(l, NONE, r, origin, sameHost, auto).applies(),
                    "auth none on " + l);
              }
            }
          }
        }
      }
    }
  }
}
