package io.pairgate.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.DeviceId;
import io.pairgate.Role;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.client.IdentityFileException.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCacheTest {
  static final DeviceId DEV = DeviceIdentityTest.seedKey(0).deviceId();
  @TempDir Path dir;

  @Test
  void keyedByGatewayDeviceAndRole() {
    TokenCache c = TokenCache.inMemory(DeviceIdentityTest.CLOCK);
    c.put("gw-a", DEV, Role.OPERATOR, "t1", ScopeSet.of("operator.read"));
    c.put("gw-b", DEV, Role.OPERATOR, "t2", ScopeSet.of("operator.write"));
    c.put("gw-a", DEV, Role.NODE, "t3", ScopeSet.empty());
    assertEquals("t1", c.get("gw-a", DEV, Role.OPERATOR).orElseThrow().token());
    assertEquals("t2", c.get("gw-b", DEV, Role.OPERATOR).orElseThrow().token());
    assertEquals("t3", c.get("gw-a", DEV, Role.NODE).orElseThrow().token());
    assertTrue(c.get("gw-b", DEV, Role.NODE).isEmpty());
    assertTrue(c.get("gw-a", DEV, Role.OPERATOR).orElseThrow()
        .covers(ScopePolicy.openClaw(), ScopeSet.of("operator.read")));
    assertFalse(c.get("gw-a", DEV, Role.OPERATOR).orElseThrow()
        .covers(ScopePolicy.openClaw(), ScopeSet.of("operator.write")));
    assertTrue(c.remove("gw-a", DEV, Role.OPERATOR));
    assertFalse(c.remove("gw-a", DEV, Role.OPERATOR));
    assertEquals(2, c.entries().size());
    assertFalse(c.entries().toString().contains("t2"), "secrets are redacted");
  }

  @Test
  void persistentCacheSurvivesReopenAndIsOwnerOnly() throws Exception {
    Path file = dir.resolve("tokens/device-auth.json");
    TokenCache c = TokenCache.persistent(file, DeviceIdentityTest.CLOCK);
    c.put("gw", DEV, Role.OPERATOR, "secret-1", ScopeSet.of("operator.read", "operator.write"));
    TokenCache back = TokenCache.persistent(file, DeviceIdentityTest.CLOCK);
    assertEquals(c.entries(), back.entries());
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }
    back.remove("gw", DEV, Role.OPERATOR);
    assertEquals(List.of(), TokenCache.persistent(file, DeviceIdentityTest.CLOCK).entries());
  }

  @Test
  void corruptCacheFileFailsTypedAndIsLeftUntouched() throws Exception {
    Path file = dir.resolve("device-auth.json");
    Files.writeString(file, "{\"format\": \"pairgate-token-cache\", \"version\": 1, \"entries\": [");
    byte[] before = Files.readAllBytes(file);
    IdentityFileException e = assertThrows(IdentityFileException.class,
        () -> TokenCache.persistent(file, DeviceIdentityTest.CLOCK));
    assertEquals(Problem.TRUNCATED, e.problem());
    Files.writeString(file, "{\"format\": \"pairgate-token-cache\", \"version\": 1, \"entries\": [{\"gateway\": 1}]}");
    before = Files.readAllBytes(file);
    e = assertThrows(IdentityFileException.class,
        () -> TokenCache.persistent(file, DeviceIdentityTest.CLOCK));
    assertEquals(Problem.UNPARSABLE, e.problem());
    assertTrue(e.getMessage().contains("entries[0]"), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(file));
  }
}
