"""How library events read in the audit log (registered with core.audit)."""
