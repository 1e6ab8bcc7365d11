"""The learner toolkit: paste or upload data and get the analysis the graders use."""
