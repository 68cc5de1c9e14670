"""Files exchanged with people and other tools: corpora, codebooks, REFI-QDA, exports."""
