"""Pay rates, claims, batches, payout rails, webhooks and reconciliation (issue 7)."""
