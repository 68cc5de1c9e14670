"""The report a review team puts in its paper: every section of the evidence, one page.

:func:`~qualcode.analysis.report.sections.build_report` gathers the numbers from the
analysis functions the other commands use (nothing is computed twice);
:mod:`.page` writes them as one self-contained HTML page and :mod:`.markdown` as Markdown
with SVG figures beside it; :mod:`.svg` draws the figures.
"""
