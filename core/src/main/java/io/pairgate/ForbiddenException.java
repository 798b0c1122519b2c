package io.pairgate;

import java.util.List;

/**
 * Thrown when an {@link Approver} may not approve a request: it lacks a requested operator scope,
 * or {@code operator.admin} for a non-operator role. Nothing was changed.
 */
public final class ForbiddenException extends PairgateException {
  private static final long serialVersionUID = 1L;
  private final RequestId requestId;
  private final List<Scope> missingScopes;

  /** Creates the exception for {@code requestId}, naming the scopes the approver would need. */
  public ForbiddenException(RequestId requestId, List<Scope> missingScopes) {
    super(
        ErrorCode.FORBIDDEN,
        "approver may not approve request " + requestId + ": missing scope "
            + String.join(", ", missingScopes.stream().map(Scope::value).toList()));
    this.requestId = requestId;
    this.missingScopes = List.copyOf(missingScopes);
  }

  /** The request the approver may not approve. */
  public RequestId requestId() {
    return requestId;
  }

  /** The scopes the approver lacks; never empty. */
  public List<Scope> missingScopes() {
    return missingScopes;
  }
}
