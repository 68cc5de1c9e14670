"""Streaming readers of corpus files (CSV, TSV, JSONL, XLSX, folders of text files).

Each reader is a generator of :class:`~qualcode.model.SourceRecord` that never holds more
than one row (or one file) in memory, and raises :class:`~qualcode.errors.FormatError`
naming the file and line as soon as it meets something it cannot read.
"""
