"""The organisation: its tree of units, HR scopes, employee import and course assignments."""
