"""Where a command may write what it was asked to (-o, --gongwen, site build's folder): never over the
agency itself. A receipt written over a record, a placard over rules/staff.yml or a site over records/
would destroy what Git tracks (or put a visitor's data where the next commit takes it)."""
from __future__ import annotations

import os

from ..core.problems import InputError, os_reason

AGENCY_DATA = (".git", ".shouwen", "records", "rules")      # never a place for an output, tracked or not


def refuse_agency_output(root: str, output: str, folder: bool = False, replaced: bool = False,
                         personal: bool = False) -> None:
    """Refuse (exit 2, nothing written) an output path that is the repository or a folder above it, lies in
    .git/, .shouwen/, records/ or rules/, or is (or holds) a file Git tracks; and where the command replaces
    a folder (`replaced`), an existing folder that is not an earlier site build (it has no index.html).
    `personal`: the output holds a visitor's personal data, so it never goes into site/, the public site's."""
    from ..repo import gitio
    real, top = os.path.realpath(output), os.path.realpath(root)
    what = "输出目录" if folder else "输出文件"
    if real == top or top.startswith(real.rstrip(os.sep) + os.sep):
        raise InputError(f"{what} {output} 是机构仓库本身或它的上级目录：写入会替换其中的内容，仓库会被删除；"
                         "未写入任何内容，请换一个位置（如默认的 public 或仓库之外的目录）")
    if real.startswith(top + os.sep):
        rel = os.path.relpath(real, top)
        public = _public_folder(root, rel) if personal else None
        if public:
            raise InputError(f"{what} {output} 在公开网站的目录 {public}/ 中：其中有来访人的个人信息，会随网站发布；"
                             "未写入任何内容，请换一个位置（如仓库之外的目录）")
        if rel.split(os.sep)[0] in AGENCY_DATA or gitio.is_repo(root) and gitio.index_blobs(root, f":(literal){rel}"):
            raise InputError(f"{what} {output} 在仓库的记录、规则或 Git 文件之中（或就是 Git 跟踪的文件）：写入会覆盖它们；"
                             "未写入任何内容，请换一个位置（如仓库之外的目录）")
    if replaced and os.path.isdir(real) and os.listdir(real) and not os.path.isfile(os.path.join(real, "index.html")):
        raise InputError(f"{what} {output} 已有文件，却不是此前生成的网站（没有 index.html）：生成时会替换整个目录；"
                         "未写入任何内容，请换一个空目录或新目录")


def _public_folder(root: str, rel: str) -> str | None:
    """The public site's folder (mkdocs.yml's docs_dir or site_dir: published as it stands) that `rel` lies in."""
    from ..publish.site_config import public_folders
    return next((f for f in public_folders(root) if rel == f or rel.startswith(f + os.sep)), None)


def write_output(path: str, data) -> None:
    """Write what a command was asked to (-o): bytes, text or a list of bytes; a regular file whole or not at all
    (a temporary name beside it, then renamed), a device (/dev/stdout) straight. Refused naming the file: a full
    disk says no name of its own."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    parts = [data] if isinstance(data, (bytes, bytearray)) else data
    straight = os.path.exists(path) and not os.path.isfile(path)
    tmp = path if straight else os.path.join(os.path.dirname(os.path.abspath(path)), f".shouwen-{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.writelines(parts)
        if not straight:
            os.replace(tmp, path)
    except OSError as e:
        if not straight and os.path.lexists(tmp):
            os.remove(tmp)
        raise InputError(f"无法读写 {path}：{os_reason(e)}，未写入任何内容") from None
