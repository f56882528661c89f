"""Progress on long work: a bar on stderr when it is a terminal, silent otherwise (pipes, cron, CI)."""
from __future__ import annotations

import sys

import click


class Progress:
    """`with Progress("生成示例") as p:` and hand `p` to the work, which calls `p(done, total)`. `least`: work
    of fewer steps is quick enough to need no bar."""

    def __init__(self, label: str, least: int = 1):
        self.label, self.least = label, least
        self.bar = None
        self.shown = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.shown or total < self.least:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr, show_pos=True, show_eta=True)
            self.bar.render_progress()
        self.bar.update(done - self.bar.pos)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.render_finish()
