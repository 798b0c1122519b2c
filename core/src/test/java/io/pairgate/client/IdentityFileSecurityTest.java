package io.pairgate.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.ErrorCode;
import io.pairgate.client.IdentityFileException.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 14 item 7: a device's private key file is refused unread when it is a symbolic link, owned
 * by another user, or readable or writable by its group or others; the file is left as it was and
 * {@code loadOrCreate} never replaces it.
 */
class IdentityFileSecurityTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T10:15:30Z"), ZoneOffset.UTC);
  @TempDir Path dir;

  @BeforeEach
  void posixOnly() {
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    if (!posix) {
      System.out.println("SKIP IdentityFileSecurityTest: not a POSIX file system");
    }
    Assumptions.assumeTrue(posix, "POSIX file system");
  }

  private Path saved(String name) {
    Path f = dir.resolve(name);
    DeviceIdentity.generate(CLOCK).save(f);
    return f;
  }

  private static String state(Path f) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(f)) + " "
        + Files.getAttribute(f, "unix:uid") + " " + Files.getLastModifiedTime(f) + " "
        + Files.readString(f);
  }

  private static void refused(Path f, String detail) {
    IdentityFileException e = assertThrows(IdentityFileException.class,
        () -> DeviceIdentity.load(f));
    assertEquals(Problem.INSECURE, e.problem());
    assertEquals(ErrorCode.STORE_FAILURE, e.code());
    assertTrue(e.getMessage().contains(detail), e.getMessage());
    IdentityFileException again = assertThrows(IdentityFileException.class,
        () -> DeviceIdentity.loadOrCreate(f, CLOCK));
    assertEquals(Problem.INSECURE, again.problem(), "loadOrCreate must not replace it either");
  }

  @Test
  void savedFileIsOwnerOnly_andLoads() throws Exception {
    Path f = saved("id.json");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    DeviceIdentity.load(f);
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-r--r--", "rw-r-----", "rw----r--", "rw-rw-rw-", "rw--w----", "rw-------"})
  void groupOrOtherBits_areRefused_fileUnchanged(String mode) throws Exception {
    Path f = saved("mode.json");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    String before = state(f);
    if (mode.equals("rw-------")) {
      DeviceIdentity.load(f); // the owner-only control case loads
      return;
    }
    refused(f, "chmod 600");
    assertEquals(before, state(f), "the file was changed");
  }

  @Test
  void symbolicLink_isRefused_evenToAGoodKey() throws Exception {
    Path real = saved("real.json");
    Path link = dir.resolve("link.json");
    Files.createSymbolicLink(link, real);
    String before = state(real);
    refused(link, "symbolic link");
    assertTrue(Files.isSymbolicLink(link));
    assertEquals(before, state(real));
  }

  @Test
  void foreignOwner_isRefused() throws Exception {
    Long me = PrivateFiles.currentUid();
    if (me == null || me != 0) {
      String why = "SKIP foreign-owner check: giving a file to another user needs root (this runs"
          + " as uid " + me + ")";
      System.out.println(why);
      Assumptions.assumeTrue(false, why);
    }
    Path f = saved("foreign.json");
    Files.setAttribute(f, "unix:uid", 65534);
    String before = state(f);
    refused(f, "owned by another user (uid 65534");
    assertEquals(before, state(f));
  }
}
