"""Sending reminders (DESIGN §8 `remind`): one e-mail per person over SMTP, one message per group
robot (企业微信 or 钉钉, their documented JSON text messages), each reminder once.

What went out is remembered in `.shouwen/reminded.json` by reminder key and channel; a reminder
that failed to go out is not remembered, so the next run tries it again.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import smtplib
import time
import urllib.parse
import urllib.request
from email.message import EmailMessage

from ..core.reminders import KINDS, Reminder, Settings

MEMORY = os.path.join(".shouwen", "reminded.json")


def _memory(root: str) -> dict:
    try:
        with open(os.path.join(root, MEMORY), encoding="utf-8") as fh:
            return json.load(fh)
    except (FileNotFoundError, ValueError):
        return {}


def _remember(root: str, memory: dict) -> None:
    path = os.path.join(root, MEMORY)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w", encoding="utf-8") as fh:
        json.dump(memory, fh, ensure_ascii=False, indent=0, sort_keys=True)
    os.replace(path + ".tmp", path)


def _body(name: str, items: list[Reminder], inst: str) -> str:
    lines = [f"{name}：", "", "以下事项需要您处理："]
    for kind, title in KINDS.items():
        mine = [r for r in items if r.kind == kind]
        if mine:
            lines += ["", f"【{title}】"] + [f"  {r.text}" for r in mine]
    lines += ["", f"——{inst}首问责任制系统（shouwen remind）"]
    return "\n".join(lines)


def send_mail(settings: Settings, to: str, subject: str, text: str) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.sender, to, subject
    msg.set_content(text)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.user:
            smtp.login(settings.user, os.environ.get(settings.password_env or "", ""))
        smtp.send_message(msg)


def robot_message(kind: str, text: str, mobiles: list[str]) -> dict:
    """企业微信 and 钉钉 group robots' text message, mentioning people by mobile number."""
    if kind == "wecom":
        return {"msgtype": "text", "text": {"content": text, "mentioned_mobile_list": mobiles}}
    return {"msgtype": "text", "text": {"content": text}, "at": {"atMobiles": mobiles, "isAtAll": False}}


def _signed(url: str, secret: str | None) -> str:
    """钉钉 robots with 加签: timestamp and HMAC-SHA256 signature as query parameters."""
    if not secret:
        return url
    ts = str(int(time.time() * 1000))
    sign = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest())
    return f"{url}{'&' if '?' in url else '?'}timestamp={ts}&sign={urllib.parse.quote_plus(sign)}"


def post_robot(hook, text: str, mobiles: list[str]) -> None:
    data = json.dumps(robot_message(hook.kind, text, mobiles), ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(_signed(hook.url, hook.secret), data=data,
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(req, timeout=20) as resp:
        answer = json.loads(resp.read().decode("utf-8") or "{}")
    if answer.get("errcode", 0) != 0:
        raise OSError(f"机器人拒收：{answer.get('errmsg', answer)}")


def send(root: str, rules, settings: Settings, items: list[Reminder], dry_run: bool = False) -> dict:
    """Send what has not gone out yet; returns counts and failures for the command to print."""
    memory = _memory(root)
    inst = rules.institution.get("short_name") or rules.institution.get("name") or ""
    report = {"email": 0, "webhook": 0, "skipped": 0, "failed": [], "people": 0}
    by_person: dict[str, list[Reminder]] = {}
    for r in items:
        by_person.setdefault(r.badge, []).append(r)
    report["people"] = len(by_person)
    if settings.smtp_host:
        for badge, mine in sorted(by_person.items()):
            s = rules.staff.get(badge)
            new = [r for r in mine if f"email:{r.key}" not in memory]
            report["skipped"] += len(mine) - len(new)
            if not new or s is None or not s.emails:
                continue
            if not dry_run:
                try:
                    send_mail(settings, s.emails[0], f"【首问提醒】{len(new)} 件事项需要您处理", _body(s.name, new, inst))
                except (OSError, smtplib.SMTPException) as e:
                    report["failed"].append(f"邮件 {s.emails[0]}：{e}")
                    continue
                memory.update({f"email:{r.key}": str(r.due or "") for r in new})
            report["email"] += len(new)
    for i, hook in enumerate(settings.webhooks):
        new = [r for r in items if (not hook.departments or rules.department_of(r.badge) in hook.departments)
               and f"hook{i}:{r.key}" not in memory]
        if not new:
            continue
        lines = [f"{rules.who(r.badge)}｜{KINDS[r.kind]}｜{r.text}" for r in new]
        mobiles = sorted({str(rules.staff[r.badge].raw.get("mobile")) for r in new
                          if r.badge in rules.staff and rules.staff[r.badge].raw.get("mobile")})
        if not dry_run:
            try:
                post_robot(hook, f"【首问提醒】{inst}\n" + "\n".join(lines), mobiles)
            except (OSError, ValueError) as e:
                report["failed"].append(f"{'企业微信' if hook.kind == 'wecom' else '钉钉'}机器人：{e}")
                continue
            memory.update({f"hook{i}:{r.key}": str(r.due or "") for r in new})
        report["webhook"] += len(new)
    if not dry_run:
        _remember(root, memory)
    return report
