"""Forms for the pages, one module per area (people.py, apply.py, recruitment.py, onboarding.py)."""
