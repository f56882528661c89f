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
from ..repo import reach

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


TIMEOUT = 20       # seconds a receiver may stay silent before it counts as down


def why(e: Exception) -> str:
    """Why a receiver did not take a message, in the clerk's words (smtplib, socket and urllib say it in English)."""
    import urllib.error
    if isinstance(e, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in e.recipients.values()})
        return f"收件人被邮件服务器拒收（{'、'.join(map(str, codes))}）"
    if isinstance(e, smtplib.SMTPSenderRefused):
        return f"发件人 {e.sender} 被邮件服务器拒收（{e.smtp_code}）"
    if isinstance(e, smtplib.SMTPAuthenticationError):
        return f"邮件服务器不接受用户名或密码（{e.smtp_code}）"
    if isinstance(e, smtplib.SMTPNotSupportedError):
        return "邮件服务器不支持所设置的功能（STARTTLS 加密或登录），请检查 policy.yml 的 reminders.email"
    if isinstance(e, smtplib.SMTPServerDisconnected):      # smtplib says so of a silent one too
        return why(e.__context__) if isinstance(e.__context__, OSError) else "邮件服务器断开了连接"
    if isinstance(e, smtplib.SMTPResponseException):
        return f"邮件服务器拒绝（{e.smtp_code}）"
    if isinstance(e, urllib.error.HTTPError):
        return f"服务器答复 HTTP {e.code}"
    if isinstance(e, urllib.error.URLError):
        return why(e.reason) if isinstance(e.reason, Exception) else "地址无法访问"
    network = reach.raised(e, TIMEOUT)
    if network:
        return network
    if isinstance(e, UnicodeError):
        return "地址中有邮件服务器不支持的字符"
    if isinstance(e, ValueError):
        return "地址或答复的格式不对"
    return "发送失败" if not str(e) or str(e).isascii() else str(e)


class _Mailer:
    """One SMTP connection for every mail of a run: a receiver that is down or silent costs one timeout, not
    one for each person."""

    def __init__(self, settings: Settings):
        self.settings, self.smtp = settings, None

    def send(self, to: str, subject: str, text: str) -> None:
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.settings.sender, to, subject
        msg.set_content(text)
        if self.smtp is None:
            smtp = smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port, timeout=TIMEOUT)
            try:
                if self.settings.starttls:
                    smtp.starttls()
                if self.settings.user:
                    smtp.login(self.settings.user, os.environ.get(self.settings.password_env or "", ""))
            except BaseException:
                smtp.close()
                raise
            self.smtp = smtp
        try:
            self.smtp.send_message(msg)
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused, ValueError):
            try:
                self.smtp.rset()         # this message refused: the connection goes on with the next
            except (OSError, smtplib.SMTPException):
                self.close()
            raise
        except BaseException:
            self.close()                 # the connection is gone: the caller stops trying this run
            raise

    def close(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


def send_mail(settings: Settings, to: str, subject: str, text: str) -> None:
    mailer = _Mailer(settings)
    try:
        mailer.send(to, subject, text)
    finally:
        mailer.close()


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
    with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
        try:
            answer = json.loads(resp.read().decode("utf-8") or "{}")
        except ValueError:
            raise OSError("机器人的答复不是 JSON（地址可能不是群机器人的）") from None
    if not isinstance(answer, dict):
        raise OSError("机器人的答复不是 JSON 对象（地址可能不是群机器人的）")
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
    report["unaddressed"] = []
    if settings.smtp_host:
        mailer, down = _Mailer(settings), None
        for badge, mine in sorted(by_person.items()):
            s = rules.staff.get(badge)
            new = [r for r in mine if f"email:{r.key}" not in memory]
            report["skipped"] += len(mine) - len(new)
            if new and s is None:
                report["unaddressed"].append(f"{badge} 不在 rules/staff.yml 的名册中（离职，或该行有错误，见 shouwen "
                                             f"check），{len(new)} 条提醒无人接收，请改派承办人")
            if new and s is not None and not s.emails:
                report["unaddressed"].append(f"{rules.who(badge)}在 rules/staff.yml 中没有邮箱（emails），"
                                             f"{len(new)} 条提醒未发邮件")
            if not new or s is None or not s.emails:
                continue
            if not dry_run:
                if down is not None:
                    report["failed"].append(f"邮件 {s.emails[0]}：{down}")
                    continue
                try:
                    mailer.send(s.emails[0], f"【首问提醒】{len(new)} 件事项需要您处理", _body(s.name, new, inst))
                except (OSError, ValueError, smtplib.SMTPException) as e:
                    report["failed"].append(f"邮件 {s.emails[0]}：{why(e)}")
                    if mailer.smtp is None:            # not this message: the server (down, silent, refusing)
                        down = f"未发（邮件服务器 {settings.smtp_host}:{settings.smtp_port}：{why(e)}）"
                    continue
                memory.update({f"email:{r.key}": str(r.due or "") for r in new})
            report["email"] += len(new)
        mailer.close()
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
                report["failed"].append(f"{'企业微信' if hook.kind == 'wecom' else '钉钉'}机器人：{why(e)}")
                continue
            memory.update({f"hook{i}:{r.key}": str(r.due or "") for r in new})
        report["webhook"] += len(new)
    if not dry_run:
        _remember(root, memory)
    return report
