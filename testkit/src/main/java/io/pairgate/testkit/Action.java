package io.pairgate.testkit;

import java.util.List;
import java.util.Optional;

/**
 * One step of a model-based test: something a device or an operator does, or the passage of
 * time. Devices are numbered ({@code device} is an index into the test's device list); request
 * ids are picked by position among the ids minted so far, so the same action list means the same
 * thing on every run. Generate sequences with {@link PairingGens#actions}.
 */
public sealed interface Action {

  /** How a connect authenticates besides the device proof. */
  enum Auth {
    /** The gateway's shared token was valid. */
    SHARED_TOKEN,
    /** No connection authentication (auth mode none). */
    NONE,
    /** The gateway's shared password was valid. */
    PASSWORD,
    /** The device token the device last received for the role (empty if none). */
    DEVICE_TOKEN,
    /** A device token that was never issued. */
    BAD_DEVICE_TOKEN
  }

  /** What is wrong with the device proof, if anything. */
  enum Proof {
    /** A correct proof over the challenge, signed now. */
    VALID,
    /** A signature that does not verify. */
    BAD_SIGNATURE,
    /** A correct signature made 125 seconds ago (beyond the default 120 s skew). */
    STALE
  }

  /**
   * A client of a device. Devices usually keep one client; a different platform or device family
   * triggers a metadata upgrade.
   *
   * @param id client id
   * @param mode client mode
   * @param platform reported platform
   * @param deviceFamily reported device family
   */
  record Client(String id, String mode, String platform, String deviceFamily) {
    @Override
    public String toString() {
      return id + "/" + mode + "/" + platform + (deviceFamily.isEmpty() ? "" : "/" + deviceFamily);
    }
  }

  /**
   * Device {@code device} connects.
   *
   * @param device device index
   * @param role requested role name
   * @param scopes requested scopes, in the order sent
   * @param client what the client reports
   * @param auth how the connection authenticates
   * @param proof the proof's quality
   */
  record Connect(int device, String role, List<String> scopes, Client client, Auth auth, Proof proof)
      implements Action {
    /** Copies the scopes. */
    public Connect {
      scopes = List.copyOf(scopes);
    }

    @Override
    public String toString() {
      return "connect d" + device + " " + role + " " + scopes + " " + client
          + (auth == Auth.SHARED_TOKEN ? "" : " auth=" + auth)
          + (proof == Proof.VALID ? "" : " proof=" + proof);
    }
  }

  /**
   * An operator approves a request.
   *
   * @param pick {@link #LATEST} for the most recently minted still-pending request, {@link #UNKNOWN}
   *     for an id nobody minted, otherwise an index (modulo the count) into every id minted so far
   * @param approverScopes the approver's operator scopes
   */
  record Approve(int pick, List<String> approverScopes) implements Action {
    /** Copies the scopes. */
    public Approve {
      approverScopes = List.copyOf(approverScopes);
    }

    @Override
    public String toString() {
      return "approve " + pickName(pick) + " by " + approverScopes;
    }
  }

  /**
   * An operator rejects a request.
   *
   * @param pick as for {@link Approve#pick()}
   */
  record Reject(int pick) implements Action {
    @Override
    public String toString() {
      return "reject " + pickName(pick);
    }
  }

  /**
   * An operator rotates a device's token.
   *
   * @param device device index
   * @param role role name
   * @param scopes the new token's scopes, or empty to keep the old token's
   */
  record Rotate(int device, String role, Optional<List<String>> scopes) implements Action {
    /** Copies the scopes. */
    public Rotate {
      scopes = scopes.map(List::copyOf);
    }

    @Override
    public String toString() {
      return "rotate d" + device + " " + role + " " + scopes.map(String::valueOf).orElse("(keep)");
    }
  }

  /**
   * An operator revokes a device's token for a role.
   *
   * @param device device index
   * @param role role name
   */
  record Revoke(int device, String role) implements Action {
    @Override
    public String toString() {
      return "revoke d" + device + " " + role;
    }
  }

  /**
   * An operator removes a paired device.
   *
   * @param device device index
   */
  record Remove(int device) implements Action {
    @Override
    public String toString() {
      return "remove d" + device;
    }
  }

  /**
   * An operator blocks a device.
   *
   * @param device device index
   */
  record Block(int device) implements Action {
    @Override
    public String toString() {
      return "block d" + device;
    }
  }

  /**
   * An operator lifts a block.
   *
   * @param device device index
   */
  record Unblock(int device) implements Action {
    @Override
    public String toString() {
      return "unblock d" + device;
    }
  }

  /**
   * Time passes.
   *
   * @param ms milliseconds
   */
  record Advance(long ms) implements Action {
    @Override
    public String toString() {
      return "advance " + ms + "ms";
    }
  }

  /** The gateway restarts: a new service over the reopened store (or the same store, if it cannot reopen). */
  record Restart() implements Action {
    @Override
    public String toString() {
      return "restart";
    }
  }

  /** {@link Approve#pick()} value: the most recently minted request that is still pending. */
  int LATEST = -1;

  /** {@link Approve#pick()} value: a request id nobody minted. */
  int UNKNOWN = -2;

  private static String pickName(int pick) {
    return pick == LATEST ? "latest" : pick == UNKNOWN ? "unknown-id" : "minted#" + pick;
  }
}
