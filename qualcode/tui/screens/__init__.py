"""Screens of the app: the coding screen and the help screen."""
