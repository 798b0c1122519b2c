package io.pairgate.store.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.InMemoryPairingStore;
import io.pairgate.StoreCorruptException;
import io.pairgate.StoreException;
import io.pairgate.testkit.SampleRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * store-json findings of the fuzz targets (docs/security-fuzzing.md): error text and import
 * reports never carry a usable part of a token secret or a control character from the file.
 */
class FuzzFindingsTest {
  private static final String SECRET = StoreJsonRecordFuzzTest.SECRET;
  @TempDir Path tmp;

  private static String file() {
    String s = new String(RecordCodec.encode(SampleRecords.full(SampleRecords.keyPair("fuzz"), 3,
        "t", false)), StandardCharsets.UTF_8);
    assertTrue(s.contains("\"hash\": \"sha256:"), "the sample record has a token hash");
    return s;
  }

  private static String refusal(UnaryOperator<String> damage) {
    byte[] bytes = damage.apply(file()).getBytes(StandardCharsets.UTF_8);
    StoreException e = assertThrows(StoreException.class,
        () -> RecordCodec.decode(bytes, "devices/x.json", null));
    assertFalse(e.getMessage().contains(SECRET.substring(0, 12)), e.getMessage());
    assertFalse(e.getMessage().chars().anyMatch(Character::isISOControl), e.getMessage());
    assertTrue(e.getMessage().startsWith("devices/x.json: "), e.getMessage());
    // F15: a cause's message reaches a logged stack trace, so it is held to the same rule
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      assertFalse(String.valueOf(c.getMessage()).contains(SECRET.substring(0, 12)), c.toString());
    }
    return e.getMessage();
  }

  @Test
  void aSecretLeftUnquotedIsNotQuotedByTheParseError() {
    // Jackson's own text was "Unrecognized token '<the secret>'"
    // tokens are stored as hashes (issue #14 item 8): a secret pasted unquoted where a hash belongs
    String m = refusal(s -> s.replaceFirst("(\"hash\": )\"[^\"]*\"", "$1" + SECRET));
    assertTrue(m.contains("not valid JSON"), m);
  }

  @Test
  void valuesInTheWrongFieldAreNotQuoted() {
    refusal(s -> s.replace("\"pairgate-device\"", "\"" + SECRET + "\""));
    refusal(s -> s.replace("\"scope-upgrade\"", "\"" + SECRET + "\""));
    refusal(s -> s.replace("\"approved\"", "\"" + SECRET + "\""));
    refusal(s -> s.replace("\"blocked\": false,", "\"" + SECRET + "\": 1,\n  \"blocked\": false,"));
    String m = refusal(s -> s.replace("\"scope-upgrade\"", "\"\\u001b[2J\""));
    assertTrue(m.contains("pending.reason"), m);
  }

  @Test
  void importReportsDoNotQuoteSecretsOrControlCharacters() throws Exception {
    Files.writeString(tmp.resolve(OpenClawFiles.PAIRED_FILE),
        "{\"" + SECRET + "\": {\"deviceId\": \"" + SECRET + "\u009b\", \"publicKey\": \"k\"}}");
    InMemoryPairingStore store = new InMemoryPairingStore();
    // skipRejected: the report names each bad row (the default refuses the whole import)
    OpenClawFiles.ImportReport r =
        OpenClawFiles.importInto(store, tmp, OpenClawFiles.DEFAULT_PENDING_TTL, true);
    assertEquals(1, r.skipped().size());
    String skip = r.skipped().get(0);
    assertFalse(skip.contains(SECRET.substring(0, 12)), skip);
    assertFalse(skip.chars().anyMatch(Character::isISOControl), skip);
    assertEquals(0, store.size());

    // a token map keyed by something that is not a role name (found by OpenClawImportFuzzTest)
    String id = SampleRecords.keyPair("fuzz").deviceId().value();
    Files.writeString(tmp.resolve(OpenClawFiles.PAIRED_FILE), "{\"" + id + "\": {\"publicKey\": \""
        + SampleRecords.keyPair("fuzz").publicKey().base64Url() + "\", \"createdAtMs\": 1,"
        + " \"tokens\": {\"op" + SECRET + "\": {\"token\": \"t\"}}}}");
    OpenClawFiles.ImportReport keyed =
        OpenClawFiles.importInto(store, tmp, OpenClawFiles.DEFAULT_PENDING_TTL, true);
    assertEquals(1, keyed.skipped().size(), keyed.toString());
    assertFalse(keyed.skipped().get(0).contains(SECRET.substring(0, 12)), keyed.skipped().get(0));
    assertEquals(0, store.size());

    Files.writeString(tmp.resolve(OpenClawFiles.PAIRED_FILE), SECRET);
    StoreCorruptException e = assertThrows(StoreCorruptException.class,
        () -> OpenClawFiles.importInto(store, tmp));
    assertFalse(e.getMessage().contains(SECRET.substring(0, 12)), e.getMessage());
    assertEquals(0, store.size(), "nothing imported");
  }

  /** F13: a duplicate key is named whole only when it is a plain field name. */
  @Test
  void aDuplicateKeyIsNamedOnlyWhenItIsAPlainFieldName() throws Exception {
    String id = SampleRecords.keyPair("dup").deviceId().value();
    InMemoryPairingStore store = new InMemoryPairingStore();
    Files.writeString(tmp.resolve(OpenClawFiles.PAIRED_FILE), "{\"" + id + "\": {\"displayNam"
        + SECRET + "\": \"a\", \"displayNam" + SECRET + "\": \"b\"}}");
    StoreCorruptException e = assertThrows(StoreCorruptException.class,
        () -> OpenClawFiles.importInto(store, tmp));
    assertFalse(e.getMessage().contains(SECRET.substring(0, 12)), e.getMessage());
    assertTrue(e.getMessage().contains("duplicate field \"displayN\u2026\""), e.getMessage());
    // an ordinary field name is still shown whole: it is what the operator must find
    Files.writeString(tmp.resolve(OpenClawFiles.PAIRED_FILE),
        "{\"" + id + "\": {\"displayName\": \"a\", \"displayName\": \"b\"}}");
    e = assertThrows(StoreCorruptException.class, () -> OpenClawFiles.importInto(store, tmp));
    assertTrue(e.getMessage().contains("duplicate field \"displayName\""), e.getMessage());
    assertEquals(0, store.size(), "nothing imported");
  }

  /** F17: a scope or role name in an import warning is shown whole only when it looks like one. */
  @Test
  void importWarningsShowOnlyPlausibleNames() throws Exception {
    String id = SampleRecords.keyPair("legacy").deviceId().value();
    Files.writeString(tmp.resolve(OpenClawFiles.PAIRED_FILE), "{\"" + id + "\": {\"publicKey\": \""
        + SampleRecords.keyPair("legacy").publicKey().base64Url() + "\", \"createdAtMs\": 1,"
        + " \"tokens\": {\"operator\": {\"token\": \"t\", \"scopes\": [\"operator.read\", \"x"
        + SECRET + "\"], \"x" + SECRET + "\": 1}}}}");
    InMemoryPairingStore store = new InMemoryPairingStore();
    OpenClawFiles.ImportReport r =
        OpenClawFiles.importInto(store, tmp, OpenClawFiles.DEFAULT_PENDING_TTL, true);
    assertFalse(r.warnings().isEmpty(), r.toString());
    for (String w : r.warnings()) {
      assertFalse(w.contains(SECRET.substring(0, 12)), w);
    }
    assertTrue(r.warnings().stream().anyMatch(w -> w.contains("operator.read")), r.toString());
  }

  /**
   * F18 (OpenClawImportFuzzTest): a number with a huge exponent made Jackson throw
   * {@code NumberFormatException} out of the import, and exact arithmetic on such a number can run
   * for minutes. It is a damaged file: {@code store-corrupt}, nothing written, nothing quoted.
   */
  @Test
  void aNumberWithAHugeExponentIsStoreCorrupt() throws Exception {
    String paired = new String(getClass().getResourceAsStream(
        "OpenClawImportFuzzTestInputs/importFiles/paired-only").readAllBytes(),
        StandardCharsets.UTF_8);
    assertTrue(paired.contains("\"createdAtMs\": 1775000000000"), "the seed has timestamps");
    for (String number : new String[] {"1e771200000000", "-1e771200000000", "1e-771200000000",
        "1E400", "123456789012345678901234567890.5"}) {
      Files.writeString(tmp.resolve(OpenClawFiles.PAIRED_FILE),
          paired.replace("\"createdAtMs\": 1775000000000", "\"createdAtMs\": " + number));
      InMemoryPairingStore store = new InMemoryPairingStore();
      io.pairgate.PairgateException e = assertThrows(io.pairgate.PairgateException.class,
          () -> OpenClawFiles.importInto(store, tmp, OpenClawFiles.DEFAULT_PENDING_TTL, false),
          number);
      if (number.contains("771200000000")) {
        // Jackson refuses these while parsing: the file is damaged
        assertEquals(io.pairgate.ErrorCode.STORE_CORRUPT, e.code(), number + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("a number out of range"), e.getMessage());
      } else {
        // parsed, but no instant: the row is refused by name and field
        assertTrue(e.getMessage().contains("createdAtMs"), number + ": " + e.getMessage());
      }
      assertFalse(e.getMessage().contains(number), e.getMessage());
      assertEquals(0, store.size(), number);
    }
    // the same numbers in a Pairgate device file (the full read and the open-time scan)
    for (String number : new String[] {"1e771200000000", "1e-771200000000", "1E400"}) {
      String m = refusal(s -> s.replaceFirst("(\"version\": )[0-9]+", "$1" + number));
      assertTrue(m.contains("version") || m.contains("number"), m);
      String m2 = refusal(s -> s.replaceFirst("(\"[a-zA-Z]*At(Ms)?\": )(\"[^\"]*\"|[0-9.]+)",
          "$1" + number));
      assertFalse(m2.isEmpty());
      // formatVersion 2 (epoch ms, read with Jackson) as the F18 fix found it
      String f = new String(LegacyDeviceFile.encode(SampleRecords.full(
          SampleRecords.keyPair("fuzz"), 3, "t", false)), StandardCharsets.UTF_8);
      assertTrue(f.contains("\"expiresAtMs\": "), "the sample record has a pending request");
      java.util.regex.Matcher id = java.util.regex.Pattern.compile("\"deviceId\": \"([0-9a-f]{64})\"")
          .matcher(f);
      assertTrue(id.find(), f);
      byte[] bytes = f.replaceFirst("(\"expiresAtMs\": )[0-9.]+", "$1" + number)
          .getBytes(StandardCharsets.UTF_8);
      // the open-time scan leaves a value it cannot use to the full read, but it must not throw
      // anything untyped
      try {
        RecordCodec.summary(bytes, "devices/x.json", id.group(1));
        assertFalse(number.contains("771200000000"), number + ": the scan accepted it");
      } catch (StoreException scan) {
        assertFalse(scan.getMessage().contains(number), scan.getMessage());
      }
      assertThrows(StoreException.class, () -> RecordCodec.decode(bytes, "devices/x.json", null));
      // formatVersion 3 (core's reader): the same number where an instant belongs
      String f3 = file();
      assertTrue(f3.contains("\"expiresAt\": \""), "the sample record has a pending request");
      byte[] bytes3 = f3.replaceFirst("(\"expiresAt\": )\"[^\"]*\"", "$1" + number)
          .getBytes(StandardCharsets.UTF_8);
      try {
        RecordCodec.summary(bytes3, "devices/x.json", id.group(1));
      } catch (StoreException scan) {
        assertFalse(scan.getMessage().contains(number), scan.getMessage());
      }
      StoreException e3 = assertThrows(StoreException.class,
          () -> RecordCodec.decode(bytes3, "devices/x.json", null));
      assertFalse(e3.getMessage().contains(number), e3.getMessage());
      if (number.contains("771200000000")) {
        assertTrue(e3.getMessage().contains("not valid JSON: a number out of range"),
            e3.getMessage());
      }
      assertThrows(StoreException.class, () -> RecordCodec.decode(bytes, "devices/x.json", null));
    }
  }
}
