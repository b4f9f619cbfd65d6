"""Supervisory spot checks (监督抽查, Chapter 4): tasks, the double-random draw, retests and enforcement handover."""
