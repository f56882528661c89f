"""Roles as the office writes them: 科长, 副科长, 主管 (or an unambiguous start of one) in rules/staff.yml and in
policy.yml's permissions and escalation chain mean the role ids; an unknown or ambiguous one is reported with
"您是不是要找 …", naming the file and the field."""
import json
import os
import subprocess


def _edit(agency, rel, old, new):
    text = agency.file(rel)
    assert old in text
    with open(os.path.join(agency.path, rel), "w", encoding="utf-8") as fh:
        fh.write(text.replace(old, new))


def _rules_problems(agency):
    out = json.loads(agency.run("check", "--today", "2026-11-27", "--format", "json").stdout)
    return [p for p in out["problems"] if p["code"] == "rules-invalid"]


def test_a_role_in_chinese_is_the_role(agency):
    # 黄丽 (J010) is written down as 副科长 by name: the policy's deputy, so she may inspect her colleague
    refused = agency.run("--as", "J010", "inspect", "J011", "--finding", "文明用语：合格", "--at", "2026-11-05T10:00")
    assert refused.exit_code == 2
    _edit(agency, "rules/staff.yml", "{badge: J010, name: 黄丽, title: 副科长, department: approvals, role: staff",
          "{badge: J010, name: 黄丽, title: 副科长, department: approvals, role: 副科长")
    # and the policy may name its roles in Chinese too (科长 for head, 副职 for deputy)
    _edit(agency, "rules/policy.yml", "inspect: [{role: [head, deputy]}]", "inspect: [{role: [科长, 副职]}]")
    assert _rules_problems(agency) == []
    ok = agency.run("--as", "J010", "inspect", "J011", "--finding", "文明用语：合格", "--at", "2026-11-05T10:00")
    assert ok.exit_code == 0, ok.output
    # J011 (科员) may still not inspect J010
    refused = agency.run("--as", "J011", "inspect", "J010", "--finding", "文明用语：合格", "--at", "2026-11-05T10:00")
    assert refused.exit_code == 2 and "副职" in refused.stderr


def test_an_unknown_or_ambiguous_role_is_named_with_the_closest(agency):
    _edit(agency, "rules/staff.yml", "{badge: J012, name: 徐敏, title: 科员, department: approvals, role: staff",
          "{badge: J012, name: 徐敏, title: 科员, department: approvals, role: haed")
    _edit(agency, "rules/staff.yml", "{badge: J011, name: 吴海涛, title: 科员, department: approvals, role: staff",
          "{badge: J011, name: 吴海涛, title: 科员, department: approvals, role: 科")
    probs = _rules_problems(agency)
    unknown = [p for p in probs if "haed" in p["message"]]
    assert unknown and unknown[0]["path"] == "rules/staff.yml" and unknown[0]["field"].endswith(".role")
    assert "您是不是要找" in unknown[0]["message"] and "head" in unknown[0]["message"]
    several = [p for p in probs if "“科”" in p["message"]]
    assert several and "head" in several[0]["message"] and "staff" in several[0]["message"]
    r = agency.run("check", "--today", "2026-11-27")
    assert "Traceback" not in r.output and "haed" in r.output
    assert subprocess.run(["git", "-C", agency.path, "status", "--porcelain"], capture_output=True).returncode == 0
