"""shouwen (首问): a first-inquiry responsibility system kept as Markdown records in Git."""
__version__ = "0.1.0"
