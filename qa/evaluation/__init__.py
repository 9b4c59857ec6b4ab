"""Offline evaluation: the gold question set, answer/citation/retrieval metrics, reports, benchmark."""
