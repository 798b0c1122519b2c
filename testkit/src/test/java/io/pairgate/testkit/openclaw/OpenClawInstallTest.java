package io.pairgate.testkit.openclaw;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The installer's failure modes (no download happens here). */
class OpenClawInstallTest {
  @TempDir Path cache;

  @Test
  void anUnreachableRegistryFailsWithOneLineSayingSo() {
    OpenClawInstall.InstallException e = assertThrows(OpenClawInstall.InstallException.class,
        () -> OpenClawInstall.ensure(OpenClawInstall.OPENCLAW_2026_6, cache,
            Map.of("npm_config_registry", "http://127.0.0.1:9/", "npm_config_fetch_retries", "0",
                "npm_config_cache", cache.resolve("npm-cache").toString())));
    assertTrue(e.registryUnreachable(), e.getMessage());
    assertTrue(e.getMessage().startsWith("npm registry unreachable: cannot install"),
        e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line");
    assertFalse(Files.exists(cache.resolve("2026.6.10-node22.23.3/.installed")),
        "an interrupted install is never marked complete");
  }

  @Test
  void versionsMustBePlain() {
    assertThrows(IllegalArgumentException.class,
        () -> new OpenClawInstall.Versions("22.23.3", "../../etc"));
  }
}
