"""Reading and writing files other tools and people exchange: corpora, codebooks, REFI-QDA, exports."""
