"""Widgets of the coding screen, one main class per module."""
