"""Server-rendered HTML pages (Jinja2 + htmx)."""
