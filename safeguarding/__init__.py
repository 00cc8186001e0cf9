"""Consent, checks on adults, risk assessments, safeguarding concerns and wellbeing (issue 4)."""
