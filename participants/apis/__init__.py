"""The participants API, one module per area: people.py, recruitment.py, onboarding.py."""
