package io.pairgate.policy;

import io.pairgate.ErrorCode;
import io.pairgate.InvalidArgumentException;
import io.pairgate.PairgateException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The reverse proxies whose forwarding headers ({@code X-Forwarded-For}, {@code Forwarded},
 * {@code X-Real-IP}) are believed. Only a connection whose socket peer is in this list may tell
 * Pairgate who the real client is; headers from any other peer are ignored and make the connection
 * remote. List exactly your proxies: every address in a listed range can claim to forward for any
 * client.
 *
 * @param ranges the trusted addresses and ranges, in configuration order
 */
public record TrustedProxies(List<IpRange> ranges) {

  private static final TrustedProxies NONE = new TrustedProxies(List.of());

  /** Copies the list. */
  public TrustedProxies {
    ranges = List.copyOf(ranges);
  }

  /** No trusted proxy: every connection's client is its socket peer. */
  public static TrustedProxies none() {
    return NONE;
  }

  /**
   * Parses entries such as {@code 127.0.0.1}, {@code ::1}, {@code 172.17.0.0/16} or
   * {@code fd00::/8} (see {@link IpRange#parse}). No DNS lookup is made.
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} naming every malformed entry
   *     and why
   */
  public static TrustedProxies parse(List<String> entries) {
    List<IpRange> out = new ArrayList<>(entries.size());
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      try {
        out.add(IpRange.parse(entries.get(i)));
      } catch (PairgateException e) {
        problems.add("entry " + (i + 1) + ": " + e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidArgumentException("invalid trustedProxies: " + String.join("; ", problems));
    }
    return new TrustedProxies(out);
  }

  /** The first listed range that contains {@code address}, if any. */
  public Optional<IpRange> match(IpAddress address) {
    for (IpRange r : ranges) {
      if (r.contains(address)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** Whether {@code address} is a trusted proxy. */
  public boolean contains(IpAddress address) {
    return match(address).isPresent();
  }

  /** Whether no proxy is trusted. */
  public boolean isEmpty() {
    return ranges.isEmpty();
  }
}
