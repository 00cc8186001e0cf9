"""Writes for payments, one module per area: rates, claims, setup (payment choice, nominee, payee accounts),
batches, payouts, webhooks, reconciliation and statements."""
