package io.pairgate;

/**
 * Thrown when an operator acts on a request id that a wider request from the same device replaced.
 * The old id can never be approved (the operator never saw the wider request);
 * {@link #successorRequestId()} names the request to review instead.
 */
public final class SupersededException extends PairgateException {
  private static final long serialVersionUID = 1L;
  private final RequestId requestId;
  private final RequestId successorRequestId;

  /** Creates the exception for {@code requestId}, replaced by {@code successorRequestId}. */
  public SupersededException(RequestId requestId, RequestId successorRequestId) {
    super(
        ErrorCode.SUPERSEDED,
        "request " + requestId + " was superseded by " + successorRequestId
            + "; review and approve that request instead");
    this.requestId = requestId;
    this.successorRequestId = successorRequestId;
  }

  /** The id the operator used. */
  public RequestId requestId() {
    return requestId;
  }

  /** The id of the request that replaced it (the device's live request when there is one). */
  public RequestId successorRequestId() {
    return successorRequestId;
  }
}
