"""Passwords, sessions, CSRF, login throttling and response headers."""
