"""The agency repository: the one reader and its cache (`store`), the one writer (`writer`), Git
(`gitio`, the only module that runs git), rules loading, signing, audit, the merge driver's
I/O, sync, setting up and the demo agency.

May: read and write the repository's files and run git, using `core` for every judgement.
May not: import from `publish` or `cli` (what leaves the repository sits above it).
"""
