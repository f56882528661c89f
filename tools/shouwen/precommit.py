"""The pre-commit hook's own entry point: `python -m shouwen.precommit` (what `shouwen setup` installs).

The same judgement and output as `shouwen check --staged` (repo.staged), without the command line's
imports (Click, its Chinese texts, the command table): a hook runs at every commit, so what it costs
beside `git commit` is Python's start, the record being committed, and three git processes.
Exit codes as `check`: 0 ok, 1 the commit is refused, 2 bad input, 70 a bug of ours.
"""
from __future__ import annotations

import os
import sys

INTERNAL_ERROR = 70


def run(argv: list[str]) -> int:
    from .core.problems import ERROR, InputError
    from .core.quote import quoted
    from .core.view import summary
    from .core.record import CST, to_date
    from datetime import datetime
    root, today = os.getcwd(), None          # git runs a hook at the top of the work tree
    args = list(argv)
    while args:
        opt = args.pop(0)
        if opt in ("--repo", "--today") and args:
            value = args.pop(0)
            if opt == "--repo":
                root = os.path.abspath(value)
            else:
                today = to_date(value)
                if today is None:
                    print(f"错误：日期{quoted(value)}格式不对（--today 应为 YYYY-MM-DD）", file=sys.stderr)
                    return 2
        else:
            print(f"错误：不认识的参数 {opt}（用法：python -m shouwen.precommit [--repo 目录] [--today 日期]）",
                  file=sys.stderr)
            return 2
    day = today or datetime.now(CST).date()
    try:
        from .repo.staged import staged_check
        count, problems = staged_check(root, day)
    except InputError as e:
        print(f"错误：{e}", file=sys.stderr)
        for p in e.problems:
            print("  " + p.line(), file=sys.stderr)
        return 2
    for p in problems:
        print(p.line())
    print(summary(count, day, problems))
    return 1 if any(p.severity == ERROR for p in problems) else 0


def main() -> None:
    for stream in (sys.stdout, sys.stderr):     # a GBK console can't show every character: never crash on one
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        code = run(sys.argv[1:])
    except KeyboardInterrupt:
        print("\n已中断。", file=sys.stderr)
        code = 130
    except Exception as e:          # a bug of ours: say so plainly, never a traceback
        if os.environ.get("SHOUWEN_DEBUG"):
            raise
        print(f"内部错误（请把这一行报告给维护人员）：{type(e).__name__}: {e}", file=sys.stderr)
        code = INTERNAL_ERROR
    sys.exit(code)


if __name__ == "__main__":
    main()
