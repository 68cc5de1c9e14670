"""Reports computed from a project: agreement, theme tables, matrices, charts, frequencies,
suggestions."""
