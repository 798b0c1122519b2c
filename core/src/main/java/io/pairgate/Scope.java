package io.pairgate;

/**
 * One named permission, such as {@code operator.read} or {@code node.exec}. Which scopes imply
 * which is decided by the {@link ScopePolicy}, never by the scope itself.
 *
 * @param value 1–128 characters from {@code [A-Za-z0-9._:-]}, starting with a letter or digit
 */
public record Scope(String value) implements Comparable<Scope> {
  /** Every operator scope. */
  public static final Scope OPERATOR_ADMIN = new Scope("operator.admin");
  /** Read-only status, lists, logs. */
  public static final Scope OPERATOR_READ = new Scope("operator.read");
  /** Mutations; implies read and talk under the OpenClaw policy. */
  public static final Scope OPERATOR_WRITE = new Scope("operator.write");
  /** Exec and plugin approvals. */
  public static final Scope OPERATOR_APPROVALS = new Scope("operator.approvals");
  /** Device and node pairing management. */
  public static final Scope OPERATOR_PAIRING = new Scope("operator.pairing");
  /** Talk sessions. */
  public static final Scope OPERATOR_TALK = new Scope("operator.talk");

  /**
   * Validates the form.
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_SCOPE} for a malformed scope
   */
  public Scope {
    if (!isWellFormed(value)) {
      throw new InvalidArgumentException(ErrorCode.INVALID_SCOPE, "malformed scope " + DeviceId.abbreviate(value));
    }
  }

  /** Returns the scope with this name. */
  public static Scope of(String value) {
    // The well-known scopes are shared instances: a fleet of devices then holds one copy each.
    Scope known = wellKnown(value);
    return known != null ? known : new Scope(value);
  }

  /**
   * The bit of a well-known scope in a {@link ScopeSet}'s mask (the six {@code operator.*}
   * constants above), or 0 for any other scope. Package-private: the fast path of set algebra.
   */
  long knownBit() {
    // Identity first: Scope.of and the stores return the shared constants.
    if (this == OPERATOR_ADMIN) {
      return BIT_ADMIN;
    } else if (this == OPERATOR_READ) {
      return BIT_READ;
    } else if (this == OPERATOR_WRITE) {
      return BIT_WRITE;
    } else if (this == OPERATOR_APPROVALS) {
      return BIT_APPROVALS;
    } else if (this == OPERATOR_PAIRING) {
      return BIT_PAIRING;
    } else if (this == OPERATOR_TALK) {
      return BIT_TALK;
    }
    Scope known = wellKnown(value);
    return known == null ? 0 : known.knownBit();
  }

  /** {@link #knownBit()} of the scope named {@code value}, without making the scope. */
  static long knownBit(String value) {
    Scope known = wellKnown(value);
    return known == null ? 0 : known.knownBit();
  }

  static final long BIT_ADMIN = 1L;
  static final long BIT_READ = 1L << 1;
  static final long BIT_WRITE = 1L << 2;
  static final long BIT_APPROVALS = 1L << 3;
  static final long BIT_PAIRING = 1L << 4;
  static final long BIT_TALK = 1L << 5;
  /** Every well-known bit. */
  static final long ALL_KNOWN = (1L << 6) - 1;

  private static @org.jspecify.annotations.Nullable Scope wellKnown(String value) {
    switch (value) {
      case "operator.admin":
        return OPERATOR_ADMIN;
      case "operator.read":
        return OPERATOR_READ;
      case "operator.write":
        return OPERATOR_WRITE;
      case "operator.approvals":
        return OPERATOR_APPROVALS;
      case "operator.pairing":
        return OPERATOR_PAIRING;
      case "operator.talk":
        return OPERATOR_TALK;
      default:
        return null;
    }
  }

  /** Whether {@code value} is a well-formed scope name. */
  public static boolean isWellFormed(String value) {
    int n = value.length();
    if (n == 0 || n > 128) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && (i == 0 || (c != '.' && c != '_' && c != ':' && c != '-'))) {
        return false;
      }
    }
    return true;
  }

  /** Whether this scope's name starts with {@code role.name() + "."}. */
  public boolean belongsTo(Role role) {
    String r = role.name();
    return value.length() > r.length() + 1 && value.startsWith(r) && value.charAt(r.length()) == '.';
  }

  @Override
  public int compareTo(Scope other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
