"""Signed commits and the roster's chain of trust, with real ssh-keygen keys and git's verification."""
import json
import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from shouwen.cli import cli
from shouwen.repo.signing import Trust, fingerprint, walk_roster
from conftest import Agency

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen (openssh-client) is not installed")


def keygen(folder, name):
    path = str(folder / name)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path], check=True)
    return path


def pub(key):
    return open(key + ".pub", encoding="utf-8").read().strip()


def add_key(agency, badge, key):
    """Put a public key on one staff member's line of rules/staff.yml."""
    rel = "rules/staff.yml"
    lines = agency.file(rel).split("\n")
    i = next(i for i, l in enumerate(lines) if l.startswith(f"  - {{badge: {badge},"))
    lines[i] = lines[i][:-1] + f', signing_key: "{pub(key)}"}}'
    open(os.path.join(agency.path, rel), "w", encoding="utf-8").write("\n".join(lines))


def signed_commit(agency, key, msg, name="周建国", email="j001@example.gov.cn"):
    env = dict(os.environ, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_NAME=name,
               GIT_COMMITTER_EMAIL=email)
    sign = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={key}", "commit", "-S"] if key else ["commit"]
    subprocess.run(["git", "-C", agency.path, *sign, "-qam", msg], env=env, check=True)
    return agency.head()


@pytest.fixture
def keys(tmp_path):
    d = tmp_path / "keys"
    d.mkdir()
    return {n: keygen(d, n) for n in ("office", "j005", "j006")}


@pytest.fixture
def signed(tmp_path, keys, monkeypatch):
    monkeypatch.setenv("SHOUWEN_SIGNING_KEY", keys["office"])
    monkeypatch.delenv("SHOUWEN_TRUST_ANCHOR", raising=False)
    path = tmp_path / "signed"
    r = CliRunner().invoke(cli, ["init", str(path), "--require-signing", keys["office"] + ".pub"])
    assert r.exit_code == 0, r.output
    a = Agency(path)
    add_key(a, "J005", keys["j005"])
    signed_commit(a, keys["office"], "J005 的签名公钥")
    monkeypatch.setenv("SHOUWEN_SIGNING_KEY", keys["j005"])
    return a


def audit(agency, *extra):
    r = agency.run("audit", "--format", "json", *extra)
    return r.exit_code, json.loads(r.stdout) if r.stdout.startswith("{") else r.output


def unsigned(out):
    return [p for p in out["problems"] if p["code"] == "unsigned"]


def test_signed_desk_work_audits_clean_and_is_verified_once(signed):
    rid = signed.new("2026-11-27T09:00")
    signed.ok("--as", "J005", "note", rid, "--text", "已电话联系", "--at", "2026-11-27T09:10")
    code, out = audit(signed)
    # a clean signed history: nothing at all (events dated today stay inside the late-entry grace)
    assert [p for p in out["problems"] if p["code"] != "backdated"] == [] and code == 0, out
    first = out["verified"]
    assert first >= 4                       # init, roster, two record commits
    code, again = audit(signed)
    assert again["verified"] == 0 and again["commits"] == out["commits"]   # remembered, not verified again
    signed.ok("--as", "J005", "note", rid, "--text", "再次联系", "--at", "2026-11-27T09:20")
    assert audit(signed)[1]["verified"] == 1
    steps = json.loads(signed.ok("history", rid, "--format", "json").stdout)["steps"]
    assert [s["signed"] for s in steps] == [True, True, True]


def test_a_desk_without_its_own_key_is_refused_before_writing(signed, keys, monkeypatch):
    head = signed.head()
    monkeypatch.delenv("SHOUWEN_SIGNING_KEY")
    r = signed.run("--as", "J005", "new", "--name", "张三", "--matter", "咨询", "--at", "2026-11-27T09:00")
    assert r.exit_code == 2 and "签名" in r.output
    monkeypatch.setenv("SHOUWEN_SIGNING_KEY", keys["j006"])
    r = signed.run("--as", "J005", "new", "--name", "张三", "--matter", "咨询", "--at", "2026-11-27T09:00")
    assert r.exit_code == 2 and "J005" in r.output
    assert signed.head() == head and signed.status() == ""


def test_unsigned_and_self_vouched_commits_are_reported(signed, keys, monkeypatch):
    rid = signed.new("2026-11-27T09:00")
    rel = f"records/inquiries/2026/11/{rid}.md"
    # an unsigned commit by hand
    text = signed.file(rel).replace("\n---\n", "\n  - {at: 2026-11-27T09:30:00+08:00, by: J005, action: note, text: 补记}\n---\n", 1)
    open(os.path.join(signed.path, rel), "w", encoding="utf-8").write(text)
    bare = signed_commit(signed, None, "note", "李明", "j005@example.gov.cn")
    # J006 puts its own key in the roster, signed by that same key: no commit may vouch for its own key
    add_key(signed, "J006", keys["j006"])
    self_vouched = signed_commit(signed, keys["j006"], "my key", "张晓燕", "j006@example.gov.cn")
    monkeypatch.setenv("SHOUWEN_SIGNING_KEY", keys["j006"])
    rid6 = signed.new("2026-11-27T10:00", badge="J006")
    by_untrusted = signed.head()
    code, out = audit(signed)
    assert code == 1
    hits = {(p["commit"], p["path"]) for p in unsigned(out)}
    assert (bare, rel) in hits
    assert (self_vouched, "rules/staff.yml") in hits
    assert (by_untrusted, f"records/inquiries/2026/11/{rid6}.md") in hits
    # the matter's timeline says it of each step: `已签名`, or `未签名` where signing is required
    lines = signed.ok("history", rid).stdout.splitlines()
    assert any(bare[:10] in line and "未签名" in line for line in lines), lines
    assert all("已签名" in line for line in lines if "提交 " in line and bare[:10] not in line), lines
    roster_hit = next(p for p in unsigned(out) if p["commit"] == self_vouched)
    assert "张晓燕" in roster_hit["person"] and fingerprint(pub(keys["j006"])) in roster_hit["message"]
    # once the office vouches for the key in a signed commit, J006's later work counts
    lines = signed.file("rules/staff.yml").replace("role: staff, emails: [j006", "role: staff,  emails: [j006")
    open(os.path.join(signed.path, "rules/staff.yml"), "w", encoding="utf-8").write(lines)
    signed_commit(signed, keys["office"], "office vouches")
    # the key was first listed by an unvouched commit: it stays untrusted, so the office must rotate it
    signed.ok("--as", "J006", "note", rid6, "--text", "再联系", "--at", "2026-11-27T10:10")
    assert signed.head() in {p["commit"] for p in unsigned(audit(signed)[1])}


def test_audit_needs_the_anchor_and_a_wrong_anchor_trusts_nothing(signed, tmp_path, monkeypatch):
    signed.git("config", "--unset", "shouwen.trustAnchor")
    r = signed.run("audit")
    assert r.exit_code == 2 and "信任锚" in r.output
    other = keygen(tmp_path, "stranger")
    code, out = audit(signed, "--trust-anchor", other + ".pub")
    assert code == 1 and len(unsigned(out)) >= 2      # neither the first commit nor the roster is vouched for


def test_walk_roster_is_pure_and_needs_a_trusted_signer():
    k = {n: f"ssh-ed25519 {__import__('base64').b64encode(n.encode() * 8).decode()}" for n in "abc"}
    fp = {n: fingerprint(v) for n, v in k.items()}
    v1 = {"staff": [{"badge": "J001", "signing_key": k["a"]}]}
    v2 = {"staff": v1["staff"] + [{"badge": "J002", "signing_key": k["b"]}]}
    v3 = {"staff": v2["staff"] + [{"badge": "J003", "signing_key": k["c"]}]}
    sigs = {"s1": ("G", "ANCHOR"), "s2": ("G", fp["a"]), "s3": ("G", fp["c"])}
    t = walk_roster([("s1", v1), ("s2", v2), ("s3", v3)], sigs, {"ANCHOR"})
    assert isinstance(t, Trust)
    assert t.keys == {fp["a"]: "J001", fp["b"]: "J002"}
    assert t.refused == {"s3": [("J003", fp["c"])]}
    assert t.signer_ok(fp["b"], "J002") and not t.signer_ok(fp["b"], "J001")


def drop_key(agency, badge):
    rel = "rules/staff.yml"
    lines = agency.file(rel).split("\n")
    i = next(i for i, l in enumerate(lines) if l.startswith(f"  - {{badge: {badge},"))
    lines[i] = lines[i].split(", signing_key:")[0] + "}"
    open(os.path.join(agency.path, rel), "w", encoding="utf-8").write("\n".join(lines))


def test_only_the_office_vouches_for_keys_and_removal_revokes(signed, keys, monkeypatch):
    rid = signed.new("2026-11-27T09:00")
    # the clerk J005, whose key is trusted, puts a key he holds on his colleague J006's line and signs it himself
    add_key(signed, "J006", keys["j006"])
    planted = signed_commit(signed, keys["j005"], "J006 的新密钥", "李明", "j005@example.gov.cn")
    # then forges J006's completion with that key
    text = signed.file(f"records/inquiries/2026/11/{rid}.md").replace(
        "\n---\n", "\n  - {at: 2026-11-27T09:30:00+08:00, by: J006, action: note, text: 已办结}\n---\n", 1)
    open(os.path.join(signed.path, f"records/inquiries/2026/11/{rid}.md"), "w", encoding="utf-8").write(text)
    forged = signed_commit(signed, keys["j006"], "note", "张晓燕", "j006@example.gov.cn")
    code, out = audit(signed)
    assert code == 1
    found = {(p["code"], p["commit"]) for p in out["problems"]}
    assert ("unsigned", planted) in found and ("role-forbidden", planted) in found
    assert ("unsigned", forged) in found
    # the office takes J005's key off the roster: from that commit on it signs nothing
    drop_key(signed, "J005")
    signed_commit(signed, keys["office"], "收回 J005 的密钥")
    signed.git("config", "shouwen.trustAnchor", keys["office"] + ".pub")
    monkeypatch.setenv("SHOUWEN_SIGNING_KEY", keys["j005"])
    # the desk itself now refuses (the key is no longer J005's), so he commits by hand
    text = signed.file(f"records/inquiries/2026/11/{rid}.md").replace(
        "\n---\n", "\n  - {at: 2026-11-27T09:40:00+08:00, by: J005, action: note, text: 再记}\n---\n", 1)
    open(os.path.join(signed.path, f"records/inquiries/2026/11/{rid}.md"), "w", encoding="utf-8").write(text)
    late = signed_commit(signed, keys["j005"], "note", "李明", "j005@example.gov.cn")
    hit = [p for p in unsigned(audit(signed)[1]) if p["commit"] == late]
    assert hit and "已从名册中删除" in hit[0]["message"]


def test_an_unsigned_merge_is_reported_not_a_crash(signed, keys):
    rid = signed.new("2026-11-27T09:00")
    signed.git("checkout", "-qb", "side")
    signed.ok("--as", "J005", "note", rid, "--text", "旁支", "--at", "2026-11-27T09:10")
    signed.git("checkout", "-q", "main")
    env = dict(os.environ, GIT_AUTHOR_NAME="李明", GIT_AUTHOR_EMAIL="j005@example.gov.cn",
               GIT_COMMITTER_NAME="李明", GIT_COMMITTER_EMAIL="j005@example.gov.cn")
    subprocess.run(["git", "-C", signed.path, "merge", "-q", "--no-ff", "-m", "merge", "side"], env=env, check=True)
    merge = signed.head()
    code, out = audit(signed)
    assert code == 1 and merge in {p["commit"] for p in unsigned(out)}


def test_turning_signing_off_is_itself_judged_by_the_signing_policy(signed, keys, monkeypatch):
    """A clerk posing as the office (name, e-mail, committer and all) commits `signing: {required: false}`
    unsigned: the audit may not read today's rules and skip every signature from then on."""
    rid = signed.new("2026-11-27T09:00")
    policy = signed.file("rules/policy.yml").replace("required: true", "required: false")
    open(os.path.join(signed.path, "rules/policy.yml"), "w", encoding="utf-8").write(policy)
    off = signed_commit(signed, None, "关闭签名", name="赵文斌", email="j003@example.gov.cn")
    rel = f"records/inquiries/2026/11/{rid}.md"
    text = signed.file(rel).replace("\n---\n", "\n  - {at: 2026-11-27T09:30:00+08:00, by: J005, action: answered, "
                                               "answer: 已答复}\n---\n", 1)
    open(os.path.join(signed.path, rel), "w", encoding="utf-8").write(text)
    forged = signed_commit(signed, None, "答复", name="李明", email="j005@example.gov.cn")
    code, out = audit(signed)
    assert code == 1, out
    assert {(p["commit"], p["code"]) for p in unsigned(out)} >= {(off, "unsigned"), (forged, "unsigned")}, out


def test_under_required_signing_a_commit_of_other_files_is_signed_too(signed, keys):
    """The office's rule is that every commit is signed: a hand-written page of the public site (or any other
    file the audit does not read for its content) changed in an unsigned commit is named as unsigned."""
    page = os.path.join(signed.path, "site", "about.md")
    os.makedirs(os.path.dirname(page), exist_ok=True)
    open(page, "w", encoding="utf-8").write("# 关于本局\n")
    subprocess.run(["git", "-C", signed.path, "add", "site/about.md"], check=True)
    good = signed_commit(signed, keys["j005"], "about page", "李明", "j005@example.gov.cn")
    open(page, "a", encoding="utf-8").write("办公地址已迁至东大街12号。\n")
    bare = signed_commit(signed, None, "about page moved", "李明", "j005@example.gov.cn")
    env = dict(os.environ, GIT_AUTHOR_NAME="李明", GIT_AUTHOR_EMAIL="j005@example.gov.cn", GIT_COMMITTER_NAME="李明",
               GIT_COMMITTER_EMAIL="j005@example.gov.cn")
    subprocess.run(["git", "-C", signed.path, "commit", "-q", "--allow-empty", "-m", "接受改写"], env=env, check=True)
    empty = signed.head()       # as `sync --accept-rewrite` writes one: no file, a trailer saying who accepted what
    code, out = audit(signed)
    assert code == 1
    hits = {(p["commit"], p["path"]) for p in unsigned(out)}
    assert (bare, "site/about.md") in hits and (empty, None) in hits
    assert good not in {c for c, _ in hits}
