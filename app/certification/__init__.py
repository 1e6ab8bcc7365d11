"""Certificates: awarded when a course's rule is met, verifiable by anyone with the code."""
