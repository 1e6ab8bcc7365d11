"""The exercise engine: kinds are code, exercises are data.

A kind turns an exercise's parameters and a seed into a variant (generate), reads a
learner's raw answer (parse, whose errors cost no attempt), computes the reference answer
(solve) and scores an answer part by part (grade).
"""
