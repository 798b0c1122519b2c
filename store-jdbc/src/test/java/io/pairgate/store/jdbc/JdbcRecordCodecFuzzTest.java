package io.pairgate.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pairgate.ClientInfo;
import io.pairgate.DeviceId;
import io.pairgate.DeviceKeyPair;
import io.pairgate.DeviceToken;
import io.pairgate.PairedDevice;
import io.pairgate.PairgateException;
import io.pairgate.Role;
import io.pairgate.TokenHash;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.testkit.SampleRecords;
import io.pairgate.testsupport.FuzzText;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes store-jdbc's {@code record_json} codec ({@link RecordCodec}). An input whose first line
 * is {@code encode} builds a record from the following lines (client id, mode, platform, family,
 * display name, version, label, remote address, approved-via, token secret, and two epoch-ms times)
 * and checks that it encodes and decodes back equal and that the encoding is canonical: this
 * covers the string-escaping and the fast {@code Instant} paths. Any other input is decoded as
 * stored text (with {@code SECRET} replaced by a 43-character secret): it is either a record that
 * re-encodes canonically to an equal record, or an {@link IllegalArgumentException} /
 * {@link PairgateException} (which the store reports as {@code store-corrupt}) whose text is
 * printable, bounded and never quotes the secret. No other throwable (no stack overflow on deep
 * nesting, no index or cast error) may escape.
 */
class JdbcRecordCodecFuzzTest {
  static final String SECRET = "Kq7ZpX2mW9vL4tR8nJ3hB6sD1fG5aC0eU9yI2oQ4wE0";
  private static final DeviceKeyPair KEY = SampleRecords.keyPair("fuzz");
  private static final DeviceId ID = KEY.deviceId();

  @FuzzTest(maxDuration = "10m")
  void codec(byte[] data) {
    List<String> f = FuzzText.fields(data, 14);
    if (f.get(0).equals("encode")) {
      roundTrip(f);
      return;
    }
    String text = new String(FuzzText.replace(data, "SECRET", SECRET), StandardCharsets.UTF_8);
    DeviceRecord r;
    try {
      r = RecordCodec.decode(ID, 3, text);
    } catch (IllegalArgumentException | PairgateException e) {
      String message = String.valueOf(e.getMessage());
      FuzzText.assertNoEcho(message, SECRET);
      FuzzText.assertSafeText(message, 600);
      return;
    } catch (RuntimeException | StackOverflowError e) {
      fail("decoding stored text threw " + e, e);
      return;
    }
    String enc = RecordCodec.encode(r);
    DeviceRecord back = RecordCodec.decode(ID, 3, enc);
    assertEquals(r, back, "re-encoded record reads back equal");
    assertEquals(enc, RecordCodec.encode(back), "encoding is canonical");
  }

  private static void roundTrip(List<String> f) {
    DeviceRecord base = SampleRecords.full(KEY, 5, "fuzz", false);
    PairedDevice p = base.paired();
    ClientInfo client = new ClientInfo(f.get(1), f.get(2), f.get(3), f.get(4), f.get(5), f.get(6));
    Instant t1 = instant(f.get(11));
    Instant t2 = instant(f.get(12));
    DeviceToken op = p.tokens().get(Role.OPERATOR);
    DeviceRecord r;
    try {
      DeviceToken token = new DeviceToken(Role.OPERATOR, op.scopes(), TokenHash.of(f.get(10)), t1, t2, null, t1);
      PairedDevice q = new PairedDevice(p.deviceId(), p.publicKey(), p.roles(),
          p.approvedScopes(), client, f.get(7),
          Map.of(Role.OPERATOR, token, Role.NODE, p.tokens().get(Role.NODE)), t1, t2, t2, f.get(9),
          f.get(8));
      r = new DeviceRecord(ID, 5, q, base.pending(), true, base.resolved());
    } catch (PairgateException | IllegalArgumentException e) {
      return; // the model refuses these values; there is nothing to store
    }
    String enc = RecordCodec.encode(r);
    DeviceRecord back;
    try {
      back = RecordCodec.decode(ID, 5, enc);
    } catch (RuntimeException e) {
      throw new AssertionError("the codec cannot read what it wrote: " + e, e);
    }
    assertEquals(r, back, "decode(encode(r)) equals r");
    assertEquals(enc, RecordCodec.encode(back));
  }

  /** An instant from the line's digits (any long), at millisecond precision. */
  private static Instant instant(String line) {
    long ms = 0;
    for (int i = 0; i < line.length(); i++) {
      ms = ms * 31 + line.charAt(i);
    }
    // stay inside Instant's range: +/- 10^15 ms covers years -29719..33658
    return Instant.ofEpochMilli(Math.floorMod(ms, 2_000_000_000_000_000L) - 1_000_000_000_000_000L);
  }
}
