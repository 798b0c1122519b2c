package io.pairgate;

import java.time.Duration;

/**
 * A refusal that goes away with time: the service is at a bound it will not exceed (for example
 * {@link ErrorCode#TOO_MANY_CHALLENGES}). Nothing changed; try again after {@link #retryAfter()}.
 * A gateway answers it like HTTP 503 with a {@code Retry-After} header and closes the connection.
 */
public class RetryLaterException extends PairgateException {
  private static final long serialVersionUID = 1L;
  private final Duration retryAfter;

  /** Creates the exception; {@code retryAfter} is at least one second. */
  public RetryLaterException(ErrorCode code, String message, Duration retryAfter) {
    super(code, message);
    this.retryAfter = retryAfter.compareTo(Duration.ofSeconds(1)) < 0
        ? Duration.ofSeconds(1) : retryAfter;
  }

  /** How long to wait before trying again (at least one second). */
  public Duration retryAfter() {
    return retryAfter;
  }
}
