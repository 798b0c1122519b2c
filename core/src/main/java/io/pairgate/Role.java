package io.pairgate;

import java.util.regex.Pattern;

/**
 * The role a client connects as: {@link #OPERATOR} (control-plane clients: CLIs, apps, UIs),
 * {@link #NODE} (capability hosts) or any other lowercase name.
 *
 * @param name lowercase letters, digits, {@code -} and {@code _}, starting with a letter, at most
 *     64 characters
 */
public record Role(String name) implements Comparable<Role> {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");

  /** The control-plane role, the default when a client names none. */
  public static final Role OPERATOR = new Role("operator");

  /** The capability-host role. */
  public static final Role NODE = new Role("node");

  /**
   * Validates the name.
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} for a malformed name
   */
  public Role {
    if (!NAME.matcher(name).matches()) {
      throw new InvalidArgumentException("role must be a lowercase name ([a-z][a-z0-9_-]*): " + DeviceId.abbreviate(name));
    }
  }

  /** Returns the role with this name, reusing the constants for the well-known ones. */
  public static Role of(String name) {
    return switch (name) {
      case "operator" -> OPERATOR;
      case "node" -> NODE;
      default -> new Role(name);
    };
  }

  @Override
  public int compareTo(Role other) {
    return name.compareTo(other.name);
  }

  @Override
  public String toString() {
    return name;
  }
}
