"""Server-side SVG charts drawn from plain numbers, shared by the exercise kinds and the toolkit."""
