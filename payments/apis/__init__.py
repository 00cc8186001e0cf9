"""The payments API under /api/v1/, one module per area."""
