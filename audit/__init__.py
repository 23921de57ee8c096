"""The audit trail (who changed, read or looked up what, from the append-only history and
access logs) and the disclosure log (what was handed to a third party, on which legal basis)."""
