"""What leaves the repository: the public site's pages and engine adapters, the MkDocs hook,
the progress lookup, the privacy guard, charts, bulletins, receipts, and the ledger as
spreadsheets.

May: read through `repo` (the one reader) and compute with `core`; write output files.
May not: import from `cli`, or write records (only `repo.writer` does).
"""
