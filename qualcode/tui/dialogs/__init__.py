"""Modal dialogs: memo, add a code, search and filter the queue."""
