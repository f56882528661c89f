"""repo.spill: the bytes a large ledger or list would hold wait in an unnamed file, and come back the same; a
file that can't be written keeps them in memory, never a wrong place."""
from __future__ import annotations

import os
import pickle

from shouwen.core.blocks import Blocks, Pieces
from shouwen.repo import answers, index_rows
from shouwen.repo.spill import Spill, Spooled


def test_spilled_bytes_come_back_the_same_and_leave_no_file(tmp_path):
    (tmp_path / ".shouwen" / "index").mkdir(parents=True)
    assert Spill.make(str(tmp_path), Spill.AT - 1) is None            # a small ledger keeps its bytes
    spill = Spill.make(str(tmp_path), Spill.AT)
    parts = [os.urandom(n) for n in (0, 1, 700, 70_000)]
    heavy = [index_rows.spilled(spill, p) for p in parts]
    assert [h.bytes() for h in heavy] == parts and all(h.data is None for h in heavy)
    assert [pickle.loads(pickle.dumps(h)).bytes() for h in heavy] == parts      # to a worker: the bytes
    assert os.listdir(tmp_path / ".shouwen" / "index") == []             # the file has no name


def test_a_spill_that_cannot_write_keeps_the_bytes_in_memory(tmp_path):
    spill = Spill(str(tmp_path))
    first = index_rows.spilled(spill, b"first")

    def full(data):
        raise OSError(28, "No space left on device")
    spill.fh.write = full
    later = index_rows.spilled(spill, b"later")
    assert later.data == b"later" and spill.broken          # kept in memory, and nothing more is written there
    assert spill.spooled(b"block") == b"block"
    assert first.bytes() == b"first"


def test_blocks_in_the_spill_are_kept_a_block_at_a_time_and_read_back_as_bytes(tmp_path):
    spill = Spill(str(tmp_path))
    texts = [f"第{i}行" for i in range(5000)]
    lines = Blocks.made(iter(texts), spill.spooled)
    assert lines.spooled and all(isinstance(b, Spooled) for b in lines.blocks)
    shown = Pieces(["头\n", lines, "尾\n"])
    assert answers.keep(str(tmp_path / "kept.pickle"), "key", shown)
    again = answers.read_kept(str(tmp_path / "kept.pickle"), "key")
    assert not again.spooled and str(again) == str(shown) == "头\n" + "".join(t + "\n" for t in texts) + "尾\n"
