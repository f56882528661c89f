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


def staff_photo(root: str, staff) -> tuple[bytes | None, str | None]:
    """(JPEG of SIZE, None) for a staff member's photo, or (None, why not): a photo is read only from a
    file inside rules/ (never `../` or an absolute path out of the agency) and never passed on as sent."""
    from PIL import Image, UnidentifiedImageError
    src = staff.raw.get("photo")
    if not src:
        return None, None
    rules_dir = os.path.realpath(os.path.join(root, "rules"))
    full = os.path.realpath(os.path.join(rules_dir, str(src)))
    if not os.path.isfile(full) and str(src).replace("\\", "/").startswith("rules/"):
        full = os.path.realpath(os.path.join(root, str(src)))      # rules/photos/j005.jpg: named from the agency's root
    if not full.startswith(rules_dir + os.sep) or not os.path.isfile(full):
        return None, f"rules/staff.yml 中 {staff.badge} 的 photo（{src}）不是 rules/ 下的文件，不显示照片"
    try:
        with open(full, "rb") as fh:
            return resized(fh.read()), None
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None, f"rules/staff.yml 中 {staff.badge} 的照片 {src} 不是可读的图片，不显示照片"


def board_photos(root: str, staff) -> tuple[dict, dict, list]:
    """({badge: file name}, {file name: bytes}, notes) for the staff who have a readable photo.
    A missing or unreadable photo is left out and named in the notes; it never stops the site."""
    names, files, notes = {}, {}, []
    for s in staff:
        data, why = staff_photo(root, s)
        if why:
            notes.append(why)
        if data is not None:
            names[s.badge] = f"{s.badge}.jpg"
            files[f"{s.badge}.jpg"] = data
    return names, files, notes
