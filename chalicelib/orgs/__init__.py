"""Organisations (agencies, labs, enforcement) and their users: who acts, where, in which role."""
