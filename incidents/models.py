"""Incident reports, candidates, case files, decisions and escalations (issues 3 to 5)."""
