package io.pairgate.policy;

/**
 * Whether an automatic approval rule applies to a connect, and why (or why not).
 *
 * @param applies whether the rule approves
 * @param reason a human-readable explanation naming the deciding fact
 */
public record ApprovalVerdict(boolean applies, String reason) {

  /** A verdict that approves. */
  public static ApprovalVerdict yes(String reason) {
    return new ApprovalVerdict(true, reason);
  }

  /** A verdict that does not approve. */
  public static ApprovalVerdict no(String reason) {
    return new ApprovalVerdict(false, reason);
  }
}
