"""Learning: the catalogue, course outlines, reading modules and the learner's progress."""
