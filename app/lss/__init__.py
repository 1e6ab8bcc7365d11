"""Lean Six Sigma formulas as pure functions: no I/O, each tested against a published example.

Invalid input raises ValueError with a message a learner can act on.
"""
