"""qualcode: qualitative thematic coding in the terminal, with agreement you can cite."""

__version__ = "0.1.0"
