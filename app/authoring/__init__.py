"""Instructors' work on courses: who is staff of which course, drafts and publishing,
the review queue per course, the gradebook and item analysis, and re-grading."""
