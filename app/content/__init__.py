"""Course content from files: validate, render and sync into the database."""
