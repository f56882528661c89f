"""Staff photos for the public board: read from rules/photos/ (or wherever staff.yml points
inside rules/), re-encoded at a fixed small size. A photo is never copied as it was sent in:
re-encoding drops its metadata (camera, GPS) and keeps a 10 MB original off a lobby screen."""
from __future__ import annotations

import io
import os

SIZE = (240, 300)       # 4:5 portrait, twice the size shown, for sharp screens


def resized(data: bytes) -> bytes:
    """A JPEG of SIZE, cropped to fill from the centre."""
    from PIL import Image, ImageOps
    with Image.open(io.BytesIO(data)) as img:
        img = ImageOps.exif_transpose(img)
        out = ImageOps.fit(img.convert("RGB"), SIZE, method=Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        out.save(buf, "JPEG", quality=85, optimize=True)
        return buf.getvalue()


def board_photos(root: str, staff) -> tuple[dict, dict, list]:
    """({badge: file name}, {file name: bytes}, notes) for the staff who have a readable photo.
    A missing or unreadable photo is left out and named in the notes; it never stops the site."""
    from PIL import UnidentifiedImageError
    names, files, notes = {}, {}, []
    rules_dir = os.path.realpath(os.path.join(root, "rules"))
    for s in staff:
        src = s.raw.get("photo")
        if not src:
            continue
        full = os.path.realpath(os.path.join(rules_dir, str(src)))
        if not full.startswith(rules_dir + os.sep) or not os.path.isfile(full):
            notes.append(f"rules/staff.yml 中 {s.badge} 的 photo（{src}）不是 rules/ 下的文件，公示栏不显示照片")
            continue
        try:
            with open(full, "rb") as fh:
                data = resized(fh.read())
        except (OSError, UnidentifiedImageError, ValueError):
            notes.append(f"rules/staff.yml 中 {s.badge} 的照片 {src} 不是可读的图片，公示栏不显示照片")
            continue
        names[s.badge] = f"{s.badge}.jpg"
        files[f"{s.badge}.jpg"] = data
    return names, files, notes
