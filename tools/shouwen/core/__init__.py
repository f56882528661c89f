"""The pure core: record model, ids, the event fold, working days, deadlines, the ladder, the
assessment, validation and problems.

May: compute over plain data passed in (records' bytes, parsed rules, the day as an argument).
May not: touch files, Git, the network, subprocesses or the clock (`date.today`, `datetime.now`);
import from `repo`, `publish` or `cli`. `tests/test_layout.py` holds this.
"""
