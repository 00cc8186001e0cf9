"""Reads for payments, one module per area, scoped to the actor's partnership."""
