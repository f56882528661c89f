"""SSH commit signing and the roster's chain of trust (DESIGN §11).

A staff member's public key sits in `rules/staff.yml` (`signing_key`). A key counts only once
the commit that first put it in the roster was itself signed by an already trusted key; the
chain starts from a trust anchor kept outside the repository (the office's key, handed to CI),
so no commit can vouch for its own key. Git does the cryptography (`%G?` with an allowed-signers
file built from the roster); the chain is a pure walk over the roster's history. Each commit's
signature is verified once and remembered in `.shouwen/verified.json`.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, field

from ..core import safeyaml

from . import gitio
from ..core.problems import InputError

ANCHOR_ENV, KEY_ENV = "SHOUWEN_TRUST_ANCHOR", "SHOUWEN_SIGNING_KEY"
ROSTER = "rules/staff.yml"
VALID = {"G", "U"}   # a good signature; U only says the key is not in the allowed-signers file


def fingerprint(public_key: str) -> str | None:
    """SHA256 fingerprint of an OpenSSH public key line, as `ssh-keygen -l` and git's %GK print it."""
    parts = str(public_key).split()
    for i, p in enumerate(parts):
        if p.startswith(("ssh-", "ecdsa-", "sk-")) and i + 1 < len(parts):
            try:
                blob = base64.b64decode(parts[i + 1], validate=True)
            except ValueError:
                return None
            return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return None


def key_lines(staff_data) -> list[tuple[str, str]]:
    """(badge, public key) for every key in a parsed staff.yml (one key or a list per person)."""
    out = []
    people = staff_data.get("staff") if isinstance(staff_data, dict) else None
    for s in people or []:
        if isinstance(s, dict) and s.get("badge"):
            keys = s.get("signing_key") or s.get("signing_keys") or []
            out += [(str(s["badge"]), k) for k in ([keys] if isinstance(keys, str) else keys) if fingerprint(k)]
    return out


def staff_keys(staff_data) -> dict[str, str]:
    """fingerprint -> badge; a key listed twice belongs to its first holder."""
    out: dict[str, str] = {}
    for badge, key in key_lines(staff_data):
        out.setdefault(fingerprint(key), badge)
    return out


def roster_of(rules) -> dict:
    """The current roster in staff.yml's own shape, for the functions above."""
    return {"staff": [s.raw for s in rules.staff.values()]}


# --- signing what shouwen commits ------------------------------------------------------------

def public_key(key: str) -> str | None:
    """The public key line for a key given as a private-key path, a .pub path or the key itself."""
    if key.startswith(("ssh-", "key::")):
        return key.removeprefix("key::")
    for cand in (key + ".pub", key):
        if os.path.isfile(cand):
            text = open(cand, encoding="utf-8", errors="replace").read()
            if fingerprint(text):
                return text.strip()
    return None


def signing_key(root: str, cfg: dict | None = None) -> str | None:
    """The key this desk signs with: $SHOUWEN_SIGNING_KEY, else git's user.signingkey under gpg.format=ssh.
    `cfg`: git's config as a write has read it already (gitio.write_config)."""
    key = os.environ.get(KEY_ENV)
    if key:
        return os.path.expanduser(key)
    get = cfg.get if cfg is not None else (lambda name: gitio.config(root, name))
    if get("gpg.format") == "ssh":
        key = get("user.signingkey")
        return os.path.expanduser(key) if key else None
    return None


def commit_args(root: str, rules, badge: str | None, cfg: dict | None = None) -> list[str]:
    """`git -c …` options that make the next commit signed, checked before anything is written.

    Where the policy requires signing, a desk without a key, or with somebody else's key, is refused
    here, because its commits would only show up later as `unsigned` in the audit.
    """
    key = signing_key(root, cfg)
    if key is None:
        if rules.policy.signing_required:
            raise InputError("本机构要求签名提交，但本机没有配置签名密钥：请设置 git config gpg.format ssh 与 "
                             "user.signingkey ~/.ssh/id_ed25519，或环境变量 SHOUWEN_SIGNING_KEY")
        return []
    if rules.policy.signing_required and badge:
        pub = public_key(key)
        mine = [fp for fp, b in staff_keys(roster_of(rules)).items() if b == badge]
        if pub is None or fingerprint(pub) not in mine:
            raise InputError(f"签名密钥 {key} 不是 {badge} 在 rules/staff.yml（signing_key）中登记的密钥，未写入任何内容")
    return sign_options(key)


def sign_options(key: str) -> list[str]:
    """`git -c …` options that sign the next commit or merge with an SSH key."""
    return ["-c", "gpg.format=ssh", "-c", f"user.signingkey={key}", "-c", "commit.gpgsign=true"]


# --- trust -----------------------------------------------------------------------------------

def anchor_path(root: str, given: str | None = None) -> str | None:
    return given or os.environ.get(ANCHOR_ENV) or gitio.config(root, "shouwen.trustAnchor")


def read_anchor(path: str) -> set[str]:
    try:
        text = open(os.path.expanduser(path), encoding="utf-8").read()
    except OSError as e:
        raise InputError(f"无法读取信任锚 {path}：{e.strerror}")
    fps = {fingerprint(l) for l in text.splitlines() if l.strip() and not l.lstrip().startswith("#")}
    fps.discard(None)
    if not fps:
        raise InputError(f"信任锚 {path} 中没有 SSH 公钥")
    return fps


@dataclass
class Trust:
    """Which key fingerprints are trusted, for whom, from which roster commit on, and why not."""
    anchor: set
    keys: dict = field(default_factory=dict)          # fingerprint -> badge, every key ever vouched for
    refused: dict = field(default_factory=dict)       # roster commit sha -> [(badge, fingerprint)]
    changes: dict = field(default_factory=dict)       # roster commit sha -> (keys vouched, keys removed)
    final: set = field(default_factory=set)           # the keys trusted after the last roster commit
    live: set | None = None                           # while the audit walks: the keys trusted now

    def start(self, audited: list) -> None:
        """Walk from the beginning: roster commits outside the audited range (before --since) count at once."""
        self.live = set()
        inside = set(audited)
        for sha, _ in self.changes.items():
            if sha not in inside:
                self.advance(sha)

    def advance(self, sha: str) -> None:
        added, removed = self.changes.get(sha, ((), ()))
        if self.live is not None:
            self.live.difference_update(removed)
            self.live.update(added)

    def _now(self) -> set:
        return self.final if self.live is None else self.live

    def signer_ok(self, fp: str | None, badge: str | None, sha: str | None = None) -> bool:
        return fp is not None and badge is not None and fp in self._now() and self.keys.get(fp) == badge

    def revoked_before(self, fp: str | None, sha: str | None = None) -> bool:
        return fp in self.keys and fp not in self._now()

    def any_trusted(self, fp: str | None) -> bool:
        return fp in self.anchor or fp in self._now()


def walk_roster(roster_versions: list[tuple[str, dict]], signatures: dict, anchor: set, may_vouch=None) -> Trust:
    """Pure: roster versions in commit order, (sha, parsed staff.yml); signatures sha -> (status, fp);
    `may_vouch(sha, badge)`: may that person vouch for keys at that commit (a roster administrator).

    A key is bound to its badge by the commit that lists it, and trusted only if that commit carries a
    good signature by the anchor or by a key trusted before it whose holder may vouch. A key removed
    from the roster (or moved to another badge) is revoked from that commit on.
    """
    trust, live, listed = Trust(set(anchor)), set(), {}
    for sha, data in roster_versions:
        status, fp = signatures.get(sha, ("N", None))
        vouched = status in VALID and (fp in trust.anchor or (
            fp in live and (may_vouch is None or may_vouch(sha, trust.keys[fp]))))
        keys = staff_keys(data)
        removed = [k for k, b in listed.items() if keys.get(k) != b and k in live]
        live.difference_update(removed)
        added = []
        for new_fp, badge in keys.items():
            if listed.get(new_fp) == badge:
                continue    # not added here; a key first listed unvouched must be removed and re-added
            if vouched:     # the signer was trusted before this commit, so it can't be the new key itself
                trust.keys[new_fp] = badge
                live.add(new_fp)
                added.append(new_fp)
            else:
                trust.refused.setdefault(sha, []).append((badge, new_fp))
        trust.changes[sha] = (added, removed)
        listed = keys
    trust.final = set(live)
    return trust


# --- git's side: verification, remembered -------------------------------------------------

def _cache_file(root):
    return os.path.join(root, ".shouwen", "verified.json")


def verify(root: str, shas: list[str], allowed: list[tuple[str, str]]) -> tuple[dict, int]:
    """sha -> (status, fingerprint) for every commit; only commits not seen before are verified.

    Returns the map and how many commits were verified in this call.
    """
    cache_path = _cache_file(root)
    try:
        cache = json.load(open(cache_path, encoding="utf-8"))
    except (OSError, ValueError):
        cache = {}
    todo = [s for s in dict.fromkeys(shas) if s not in cache]
    if todo:
        os.makedirs(os.path.dirname(cache_path), exist_ok=True)
        allowed_file = os.path.join(root, ".shouwen", "allowed_signers")
        with open(allowed_file, "w", encoding="utf-8") as fh:
            for badge, key in allowed:
                fh.write(f"{badge} {' '.join(key.split()[:2])}\n")
        out = gitio.git(root, "-c", f"gpg.ssh.allowedSignersFile={allowed_file}", "log", "--no-walk=unsorted",
                        "--stdin", "--format=%H\x1f%G?\x1f%GK", input=("\n".join(todo) + "\n").encode())
        for line in out.splitlines():
            if line.count("\x1f") == 2:
                sha, status, fp = line.split("\x1f")
                if status != "E":   # E: could not check (tooling); ask again next time
                    cache[sha] = [status, fp or None]
        tmp = cache_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(cache, fh)
        os.replace(tmp, cache_path)
    return {s: tuple(cache.get(s, ("E", None))) for s in shas}, len(todo)


def roster_history(root: str) -> list[tuple[str, dict]]:
    shas = gitio.git(root, "log", "--reverse", "--topo-order", "--full-history", "--format=%H", "--", ROSTER).split()
    if not shas:
        return []
    blobs = gitio.cat_files(root, [f"{s}:{ROSTER}" for s in shas]) if shas else {}
    out = []
    for s in shas:
        try:
            out.append((s, safeyaml.load(blobs.get(f"{s}:{ROSTER}", b"").decode("utf-8")) or {}))
        except (safeyaml.LoadError, UnicodeDecodeError):
            out.append((s, {}))
    return out


def trust_for(root: str, anchor_file: str, shas: list[str], may_vouch=None) -> tuple[Trust, dict, int]:
    """The trust chain from the anchor, and the signatures of `shas` plus every roster commit."""
    anchor = read_anchor(anchor_file)
    roster = roster_history(root)
    allowed = [line for _, data in roster for line in key_lines(data)]
    sigs, verified = verify(root, list(shas) + [s for s, _ in roster], allowed)
    return walk_roster(roster, sigs, anchor, may_vouch), sigs, verified
