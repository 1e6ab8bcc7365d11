"""Takt: a Lean Six Sigma training platform."""
