"""Accounts: registration, sign-in, passwords, API tokens and the demo cast."""
