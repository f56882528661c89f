"""Every record the writer makes is plain front matter: python-frontmatter, which other tools use to read
Markdown with YAML, loads it to the same data and text as shouwen's own reader (DESIGN §9, the canonical form)."""
from __future__ import annotations

import glob
import os

import frontmatter

from shouwen.core.record import parse

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# values YAML reads as something else unless they are quoted, and text that looks like a front matter fence
TRICKY = ["a: b #c", "'引号'", '"双引号"', "yes", "0935", "2026-11-27", "- 列表", "[x]", "{a: b}", "~", "null",
          " 前空格", "…结尾 ", "含\t制表", "\\反斜杠", "&a *b", "%x", "@y", "!tag", "|", ">", "?", "---", "..."]


def _same(root, path):
    rel = os.path.relpath(path, root)
    with open(path, "rb") as fh:
        rec = parse(rel, fh.read())
    post = frontmatter.load(path)
    assert post.metadata == rec.meta, rel
    assert post.content.strip() == (rec.body or "").strip(), rel


def test_records_the_writer_makes_load_with_frontmatter_to_the_same_data(agency):
    import json
    rids = []
    for i in range(0, len(TRICKY), 4):      # four tricky values a record: name, unit, address, matter
        name, org, address, matter = (TRICKY + TRICKY)[i:i + 4]
        out = agency.ok("--as", "J005", "new", "--name", name, "--org", org, "--address", address, "--matter", matter,
                        "--phone", "13800000000", "--at", f"2026-11-02T09:{10 + i:02d}", "--format", "json",
                        "--body", "正文\n---\nid: 不是字段\n...")
        rids.append(json.loads(out.stdout)["id"])
    rid = rids[0]
    agency.ok("--as", "J005", "note", rid, "--text", "正文\n---\na: b\n...\n# 不是标题", "--at", "2026-11-02T10:00")
    agency.ok("--as", "J005", "note", rids[1], "--text", TRICKY[2], "--at", "2026-11-02T10:00")
    agency.ok("--as", "J005", "correct", rid, "--field", "visitor.phone", "--value", "0935-2210012",
              "--reason", "登记时写错")
    agency.ok("--as", "J005", "complain", "--against", "J005", "--channel", "box", "--summary", "a: b #c",
              "--name", "'引号'", "--phone", "13900000001", "--inquiry", rid, "--at", "2026-11-03T09:00")
    files = glob.glob(os.path.join(agency.path, "records", "*", "*", "*", "*.md"))
    assert len(files) == len(rids) + 1
    for path in files:
        _same(agency.path, path)


def test_the_shipped_records_load_with_frontmatter_to_the_same_data():
    files = glob.glob(os.path.join(REPO, "records", "*", "*", "*", "*.md"))
    assert len(files) > 300
    for path in files:
        _same(REPO, path)
