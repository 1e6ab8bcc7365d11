"""HR reporting: summary tables kept current with each change, and the figures read from them."""
