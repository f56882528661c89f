"""Deprecated path of the MkDocs hook, kept for agency repositories made before the package
was laid out by layers (their `hooks/shouwen_site.py` imports from here). Use
`shouwen.publish.hook` in new code; this shim will go once no agency names it."""
from shouwen.publish.hook import on_config, on_files, on_post_build  # noqa: F401
