package io.pairgate.internal;

import io.pairgate.ConnectAttempt;
import io.pairgate.DeviceId;
import io.pairgate.DevicePublicKey;
import io.pairgate.ErrorCode;
import io.pairgate.Role;
import io.pairgate.ScopeSet;

/** What the {@link AttemptGate} found: the attempt passed, or it stopped at one rule. */
sealed interface GateResult {

  /** The attempt passed admission, proof and validation; its identity is proven. */
  record Passed(
      ConnectAttempt attempt, DeviceId id, DevicePublicKey key, Role role, ScopeSet requested)
      implements GateResult {}

  /**
   * The attempt stopped at {@code rule} with {@code code}; {@code deviceId} is the claimed id made
   * safe for logs.
   */
  record Stopped(String rule, ErrorCode code, String message, String deviceId)
      implements GateResult {}
}
