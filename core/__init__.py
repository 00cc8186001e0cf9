"""What every app shares: tenant scoping, the audit log, ApplicationError, the transition helper."""
