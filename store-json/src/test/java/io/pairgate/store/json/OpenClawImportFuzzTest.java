package io.pairgate.store.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pairgate.DeviceId;
import io.pairgate.ErrorCode;
import io.pairgate.InMemoryPairingStore;
import io.pairgate.StoreException;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.testsupport.FuzzText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fuzzes the OpenClaw import ({@link OpenClawFiles#importInto}, skipping rejected rows) with arbitrary {@code paired.json}
 * and {@code pending.json} content. The input is the paired file, then optionally a line
 * {@code =====} and the pending file (a file is absent when its part is {@code <absent>}); every
 * {@code SECRET} becomes a 43-character token secret. Checked for every input:
 *
 * <ul>
 *   <li>a file that is not usable fails the whole import with {@code store-corrupt}, and nothing
 *       was written (never half-applied);
 *   <li>otherwise the store holds exactly the reported devices, each a fresh record (version 1)
 *       with the reported numbers of paired devices and pending requests;
 *   <li>importing the same files again imports nothing and changes nothing;
 *   <li>no error, skip reason or warning quotes a token secret, holds a control character or grows
 *       with the input beyond a bound.
 * </ul>
 */
class OpenClawImportFuzzTest {
  private static final String SECRET = StoreJsonRecordFuzzTest.SECRET;
  private static final Path DIR;

  static {
    try {
      DIR = Files.createTempDirectory("pairgate-openclaw-fuzz");
      DIR.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "10m")
  void importFiles(byte[] data) throws IOException {
    String text = new String(FuzzText.replace(data, "SECRET", SECRET), StandardCharsets.UTF_8);
    int sep = text.indexOf("\n=====\n");
    String paired = sep < 0 ? text : text.substring(0, sep);
    String pending = sep < 0 ? "<absent>" : text.substring(sep + 7);
    write(DIR.resolve(OpenClawFiles.PAIRED_FILE), paired);
    write(DIR.resolve(OpenClawFiles.PENDING_FILE), pending);

    InMemoryPairingStore store = new InMemoryPairingStore();
    OpenClawFiles.ImportReport report;
    try {
      report = OpenClawFiles.importInto(store, DIR, OpenClawFiles.DEFAULT_PENDING_TTL, true);
    } catch (StoreException e) {
      assertEquals(ErrorCode.STORE_CORRUPT, e.code(), e::getMessage);
      FuzzText.assertNoEcho(e.getMessage(), SECRET);
      // nor its causes: a logged stack trace prints their messages too (issue 14 item 11)
      for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
        FuzzText.assertNoEcho(String.valueOf(c.getMessage()), SECRET);
      }
      FuzzText.assertSafeText(e.getMessage(), 600);
      assertEquals(0, store.size(), "a failed import wrote devices");
      return;
    }
    int bound = 600;
    for (String s : report.skipped()) {
      FuzzText.assertNoEcho(s, SECRET);
      FuzzText.assertSafeText(s, bound);
    }
    for (String s : report.warnings()) {
      FuzzText.assertNoEcho(s, SECRET);
      FuzzText.assertSafeText(s, bound);
    }
    List<DeviceId> stored =
        store.list("", 10_000).stream().map(DeviceRecord::deviceId).sorted().toList();
    assertEquals(report.imported(), stored, "the store holds exactly the imported devices");
    int pairedCount = 0;
    int pendingCount = 0;
    for (DeviceId id : stored) {
      DeviceRecord r = store.load(id).orElseThrow();
      assertEquals(1, r.version());
      pairedCount += r.paired() == null ? 0 : 1;
      pendingCount += r.pending() == null ? 0 : 1;
      if (r.paired() != null) {
        // OpenClaw 2026.9's approvedVia maps onto Pairgate's words; anything else is "import"
        assertTrue(java.util.Set.of(OpenClawFiles.APPROVED_VIA_IMPORT, "operator", "silent",
            "pairing-disabled").contains(r.paired().approvedVia()), r.paired().approvedVia());
      }
    }
    assertEquals(report.pairedCount(), pairedCount);
    assertEquals(report.pendingCount(), pendingCount);

    OpenClawFiles.ImportReport again =
        OpenClawFiles.importInto(store, DIR, OpenClawFiles.DEFAULT_PENDING_TTL, true);
    assertTrue(again.imported().isEmpty(), "a second import imported " + again.imported());
    for (DeviceId id : stored) {
      assertEquals(1, store.load(id).orElseThrow().version(), "a second import changed " + id);
    }
  }

  private static void write(Path file, String content) throws IOException {
    if (content.equals("<absent>")) {
      Files.deleteIfExists(file);
    } else {
      Files.writeString(file, content, StandardCharsets.UTF_8);
    }
  }
}
