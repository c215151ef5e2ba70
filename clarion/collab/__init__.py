"""Collaboration."""
