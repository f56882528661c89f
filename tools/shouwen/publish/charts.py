"""SVG charts with no JavaScript: the org chart for the site (and bar charts for bulletins).

Pure functions returning SVG text; fonts come from the reader's system Chinese font stack.
"""
from __future__ import annotations

from html import escape

FONT = "system-ui, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"
BOX_W, BOX_H, GAP_X, GAP_Y = 132, 46, 16, 54


def org_chart(rules, links: bool = False, heads: dict | None = None) -> str:
    """Departments as a tree, leaves side by side and each parent centred over its children.
    With `links`, each box links to its department's page (for the chart inlined in org/). `heads`: the line
    under each 科室's name by its id (else its head's name and title as the rules say)."""
    kids: dict = {}
    for d in rules.departments.values():
        kids.setdefault(d.parent, []).append(d)
    pos: dict = {}
    next_x = [0]

    def place(d, depth):
        children = kids.get(d.id, [])
        for c in children:
            place(c, depth + 1)
        if children:
            x = (pos[children[0].id][0] + pos[children[-1].id][0]) / 2
        else:
            x = next_x[0]
            next_x[0] += BOX_W + GAP_X
        pos[d.id] = (x, depth)

    for root in kids.get(None, []):
        place(root, 0)
    depth = max((p[1] for p in pos.values()), default=0)
    width = max(next_x[0] - GAP_X, BOX_W) + 20
    height = (depth + 1) * (BOX_H + GAP_Y) - GAP_Y + 20
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height}" width="{width:.0f}" height="{height}" '
           f'role="{"group" if links else "img"}" aria-label="机构设置图" font-family="{FONT}" font-size="14">',
           "<title>机构设置图</title>"]
    for d in rules.departments.values():
        if d.parent in pos:
            (x1, y1), (x2, y2) = pos[d.parent], pos[d.id]
            top = 10 + y1 * (BOX_H + GAP_Y) + BOX_H
            mid = top + GAP_Y / 2
            bottom = 10 + y2 * (BOX_H + GAP_Y)
            out.append(f'<path d="M{10 + x1 + BOX_W / 2:.0f} {top} V{mid:.0f} H{10 + x2 + BOX_W / 2:.0f} V{bottom}" '
                       'fill="none" stroke="#5c6bc0" stroke-width="1.5"/>')
    for d in rules.departments.values():
        x, y = pos[d.id]
        head = None if heads is not None else rules.staff.get(d.head) if d.head else None
        line = heads.get(d.id, "") if heads is not None else f"{head.name} {head.title}" if head else ""
        px, py = 10 + x, 10 + y * (BOX_H + GAP_Y)
        if links:
            out.append(f'<a href="{escape(d.id)}/">')   # named by its text: a shorter aria-label would not match what is seen
        out.append(f'<rect x="{px:.0f}" y="{py}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="#e8eaf6" stroke="#3949ab"/>')
        out.append(f'<text x="{px + BOX_W / 2:.0f}" y="{py + 19}" text-anchor="middle" fill="#1a237e" font-weight="bold">{escape(d.name)}</text>')
        if line:
            out.append(f'<text x="{px + BOX_W / 2:.0f}" y="{py + 37}" text-anchor="middle" fill="#333" font-size="12">'
                       f'{escape(line)}</text>')
        if links:
            out.append("</a>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def bar_chart(title: str, rows: list[tuple[str, float]], unit: str = "", maximum: float | None = None) -> str:
    """Horizontal bars, one per row (label, value); for bulletins."""
    top = maximum if maximum is not None else max((v for _, v in rows), default=0) or 1
    label_w, bar_w, row_h = 150, 360, 28
    height = 40 + row_h * len(rows)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_w + bar_w + 90} {height}" role="img" '
           f'aria-label="{escape(title)}" font-family="{FONT}" font-size="13">', f"<title>{escape(title)}</title>",
           f'<text x="4" y="20" font-weight="bold" font-size="15">{escape(title)}</text>']
    for i, (label, v) in enumerate(rows):
        y = 34 + i * row_h
        w = 0 if top == 0 else bar_w * max(v, 0) / top
        out.append(f'<text x="{label_w - 6}" y="{y + 17}" text-anchor="end">{escape(label)}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 10}" fill="#3949ab"/>')
        out.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 17}">{v:g}{escape(unit)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
