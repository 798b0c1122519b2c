package io.pairgate.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.pairgate.ClientInfo;
import io.pairgate.DeviceKeyPair;
import io.pairgate.DeviceToken;
import io.pairgate.PairedDevice;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one touch merge, {@link DeviceRecord#withAccessTimes}: times move forward only. */
class AccessTimesTest {
  static final Instant T0 = Instant.ofEpochMilli(1_700_000_000_000L);
  static final DeviceKeyPair KEY = DeviceKeyPair.fromSeed(seed());

  static byte[] seed() {
    byte[] s = new byte[32];
    Arrays.fill(s, (byte) 7);
    return s;
  }

  static DeviceRecord paired(Instant lastSeen, Instant operatorUsed) {
    DeviceToken op = new DeviceToken(Role.OPERATOR, ScopeSet.of("operator.read"), null, T0, null,
        null, operatorUsed);
    PairedDevice p = new PairedDevice(KEY.deviceId(), KEY.publicKey(), List.of(Role.OPERATOR),
        ScopeSet.of("operator.read"), ClientInfo.unknown(), "", Map.of(Role.OPERATOR, op), T0, T0,
        lastSeen, "operator", "");
    return new DeviceRecord(KEY.deviceId(), 4, p, null, false, List.of());
  }

  @Test
  void laterTimesMoveSeenAndTheRolesTokenForwardKeepingTheVersion() {
    DeviceRecord r = paired(T0, T0);
    Instant later = T0.plusSeconds(60);
    DeviceRecord m = r.withAccessTimes(later, Map.of(Role.OPERATOR, later));
    assertEquals(4, m.version());
    assertEquals(later, m.paired().lastSeenAt());
    assertEquals(PairedDevice.SEEN_ON_CONNECT, m.paired().lastSeenReason());
    assertEquals(later, m.paired().token(Role.OPERATOR).lastUsedAt());
    assertEquals(r.paired().approvedScopes(), m.paired().approvedScopes());
  }

  @Test
  void earlierOrEqualTimesChangeNothingAndReturnTheSameRecord() {
    DeviceRecord r = paired(T0, T0);
    assertSame(r, r.withAccessTimes(T0, Map.of(Role.OPERATOR, T0)));
    assertSame(r, r.withAccessTimes(T0.minusSeconds(1), Map.of(Role.OPERATOR, T0.minusSeconds(1))));
  }

  @Test
  void eachTimeIsMergedOnItsOwn() {
    Instant later = T0.plusSeconds(5);
    DeviceRecord seenOnly = paired(T0, later).withAccessTimes(later, Map.of(Role.OPERATOR, T0));
    assertEquals(later, seenOnly.paired().lastSeenAt());
    assertEquals(later, seenOnly.paired().token(Role.OPERATOR).lastUsedAt());
    DeviceRecord usedOnly = paired(later, null).withAccessTimes(T0, Map.of(Role.OPERATOR, T0));
    assertEquals(later, usedOnly.paired().lastSeenAt());
    assertEquals(T0, usedOnly.paired().token(Role.OPERATOR).lastUsedAt());
  }

  @Test
  void aRoleWithoutATokenOnlyCountsAsSeenAndAnUnpairedRecordStaysAsItIs() {
    DeviceRecord r = paired(null, null);
    DeviceRecord m = r.withAccessTimes(T0, Map.of(Role.NODE, T0));
    assertEquals(T0, m.paired().lastSeenAt());
    assertNull(m.paired().token(Role.OPERATOR).lastUsedAt());
    assertNull(m.paired().token(Role.NODE));
    DeviceRecord absent = DeviceRecord.absent(KEY.deviceId());
    assertSame(absent, absent.withAccessTimes(T0, Map.of(Role.OPERATOR, T0)));
  }
}
