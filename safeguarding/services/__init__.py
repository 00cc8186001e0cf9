"""Safeguarding services, one module per area: consent, concerns, checks, risk, wellbeing."""
