"""The local desk page (DESIGN §8 `desk`): a Chinese web page over the same library and the one
writer path as the command line, served on 127.0.0.1 only.

Who is at the desk: a person chooses their name and types the PIN kept on this PC (pins.py).
Every form carries the session's CSRF token and a one-time token, so a second click or a reload
never writes twice; every write goes through `repo.writer` exactly as the CLI's.
"""
from __future__ import annotations

import hmac
import re
import secrets
import sys
import threading
from datetime import datetime

from flask import Flask, abort, g, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException

from ..core import steps
from ..core.departed import offered as on_roster, present
from ..core.fold import ACTION_ZH, STAGE_ZH
from ..core.ledger import evaluate
from ..core.names import channel_names, service_names
from ..core.problems import ERROR, InputError, NotFound
from ..core.record import CST, local_day
from ..core.worklist import find, worklist
from ..repo import gitio
from ..repo.index import load_ledger
from ..repo.index_rows import one_at_a_time
from ..repo.loader import load_rules
from ..repo.store import refuse_committed_state
from ..repo.writer import BusyError, append_event, load_for_write, register
from . import pins
from ..core.view import clerk_view

LOCAL_HOSTS = ("127.0.0.1", "localhost")
MAX_FORM_BYTES = 1 << 20      # a form holds a few lines (a note at most 20,000 characters); more is no clerk's
_CJK = re.compile("[\u4e00-\u9fff]")


class Once:
    """One-time form tokens: the first submit does the work, a repeat gets the first one's answer."""

    def __init__(self):
        self._lock = threading.Lock()
        self._tokens: dict[str, str | None] = {}

    def issue(self) -> str:
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._tokens[token] = None
        return token

    def claim(self, token: str) -> tuple[bool, str | None]:
        """(True, None) for a fresh token; (False, where the first submit went) for a repeat."""
        with self._lock:
            if token not in self._tokens:
                return False, None
            done = self._tokens[token]
            if done is not None:
                return False, done
            self._tokens[token] = ""          # taken: a concurrent repeat waits for the answer
            return True, None

    def answer(self, token: str, where: str) -> None:
        with self._lock:
            self._tokens[token] = where

    def release(self, token: str) -> None:
        """The work failed with nothing written: the same form may be sent again."""
        with self._lock:
            if token in self._tokens:
                self._tokens[token] = None


MAX_GUESSES = 5        # wrong PINs in a row before that person's login waits a minute


class Guesses:
    """Wrong PINs by badge: a four-digit PIN is no secret to a program trying all 10,000 of them unhindered."""

    def __init__(self):
        self._lock, self._wrong = threading.Lock(), {}

    def held(self, badge: str, at: datetime) -> bool:
        with self._lock:
            count, last = self._wrong.get(badge, (0, at))
            return count >= MAX_GUESSES and (at - last).total_seconds() < 60

    def wrong(self, badge: str, at: datetime) -> None:
        with self._lock:
            count, last = self._wrong.get(badge, (0, at))
            self._wrong[badge] = (1 if count >= MAX_GUESSES else count + 1, at)

    def forget(self, badge: str) -> None:
        with self._lock:
            self._wrong.pop(badge, None)


def create_app(root: str, now=lambda: datetime.now(CST).replace(microsecond=0)) -> Flask:
    app = Flask(__name__)
    app.secret_key = secrets.token_bytes(32)          # sessions end when the desk page stops
    app.config.update(SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_HTTPONLY=True, ROOT=root,
                      MAX_CONTENT_LENGTH=MAX_FORM_BYTES)
    once, guesses = Once(), Guesses()
    app.extensions["shouwen_once"] = once
    app.extensions["shouwen_pad"] = {}                # badge -> record id awaiting the visitor's rating
    app.extensions["shouwen_now"] = now

    @app.before_request
    def guard():
        host = (request.host or "").rsplit(":", 1)[0]
        if host not in LOCAL_HOSTS:
            abort(403)
        try:
            refuse_committed_state(root)    # a sync may have brought one in since the page started
        except InputError as e:
            return render_template("message.html", title="无法办理", message=str(e)), 503
        g.rules = load_rules(root)
        me = session.get("badge")        # a page opened before the roster said they left: logged out
        g.me = me if me in g.rules.staff and present(g.rules, me, local_day(now())) else None
        if request.method == "POST":
            sent = request.form.get("csrf", "")
            if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
                abort(400, "页面已过期或来源不明（CSRF 校验未通过），请刷新后重试")
        if g.me is None and request.endpoint not in ("login", "static", "pad.pad_page"):
            return redirect(url_for("login"))

    @app.context_processor
    def common():
        if "csrf" not in session:
            session["csrf"] = secrets.token_urlsafe(24)
        return {"csrf": session["csrf"], "once": once.issue, "rules": g.get("rules"), "me": g.get("me"),
                "STAGE_ZH": STAGE_ZH, "ACTION_ZH": ACTION_ZH, "inst": g.rules.institution if g.get("rules") else {}}

    @app.errorhandler(HTTPException)
    def refused(e):
        """Every refusal in Chinese: Werkzeug's own pages (405, 413, …) are English."""
        msg = {403: "只能在本机打开（127.0.0.1）", 404: "没有这个页面",
               405: f"这个页面不支持这种操作（{request.method}），请用页面上的按钮或链接",
               413: f"提交的内容过大（上限 {MAX_FORM_BYTES >> 10} KB），未写入任何内容"}.get(e.code)
        if msg is None:
            ours = e.description if _CJK.search(e.description or "") else None
            msg = ours or f"请求不完整或格式不对（HTTP {e.code}），未写入任何内容"
        return render_template("message.html", title="无法办理", message=msg), e.code

    @app.errorhandler(Exception)
    def crashed(e):
        """A bug of ours: one line on the console and a Chinese page, never a traceback (as the CLI does)."""
        if isinstance(e, HTTPException):
            return refused(e)
        line = f"内部错误（请把这一行报告给维护人员）：{type(e).__name__}: {e}"
        print(line, file=sys.stderr)
        return render_template("message.html", title="出错了", message=line), 500

    def ledger():
        return load_ledger(root, g.rules, local_day(now()))

    def write(token, work):
        """Run one write once; a repeat submit is sent where the first went."""
        fresh, where = once.claim(token)
        if not fresh and where is None:        # no token, or one this desk never gave (a restart, a forged form)
            return render_template("message.html", title="未写入", message="表单已过期或不完整，"
                                   "请刷新页面后重新填写；未写入任何内容。", back=request.referrer), 400
        if not fresh:
            return redirect(where) if where else render_template(
                "message.html", title="已提交", message="这张表已经提交过，没有重复写入。"), 409
        before = gitio.head(root)
        try:
            where = work()
        except Exception as e:
            if not isinstance(e, (InputError, BusyError)):
                if gitio.head(root) == before:      # a bug after the commit: the form is done, not sent again
                    once.release(token)
                raise
            once.answer(token, request.referrer or url_for("worklist"))
            problems = [p.line() for p in getattr(e, "problems", [])]
            return render_template("message.html", title="未写入", message=str(e), problems=problems,
                                   back=request.referrer), 422
        once.answer(token, where)
        return redirect(where)

    @app.route("/login", methods=["GET", "POST"])
    def login():
        known = pins.load(root)
        people = [s for s in on_roster(g.rules, local_day(now())) if s.badge in known]     # no one who has left
        error = None
        if request.method == "POST":
            badge = request.form.get("badge", "")
            if guesses.held(badge, now()):
                return render_template("login.html", people=people, error=f"密码连续输错 {MAX_GUESSES} 次，"
                                       "请 1 分钟后再试"), 429
            if badge in {s.badge for s in people} and pins.check(root, badge, request.form.get("pin", "")):
                guesses.forget(badge)
                session.clear()
                session["badge"] = badge
                session["csrf"] = secrets.token_urlsafe(24)
                return redirect(url_for("worklist"))
            if badge in g.rules.staff:     # only the roster's badges are counted: no table growing without end
                guesses.wrong(badge, now())
            error = "工号或密码（PIN）不对"
        return render_template("login.html", people=people, error=error), (401 if error else 200)

    @app.post("/logout")
    def logout():
        session.clear()
        return redirect(url_for("login"))

    @app.get("/")
    def worklist_page():
        led = ledger()      # each entry's state made, looked at and let go (made again for those shown)
        return render_template("worklist.html", items=worklist(one_at_a_time(led.entries), g.rules, g.me, now()),
                               today=local_day(now()))
    app.add_url_rule("/", "worklist", worklist_page)

    @app.get("/find")
    def find_page():
        q = request.args.get("q", "").strip()
        return render_template("find.html", q=q, hits=find(one_at_a_time(ledger().entries), q) if q else [])

    @app.route("/new", methods=["GET", "POST"])
    def new():
        services = sorted(g.rules.services.values(), key=lambda s: (g.rules.dept_name(s.department), s.name))
        if request.method == "GET":
            return render_template("new.html", services=services, channels=channel_names().entries, form={})
        f = request.form

        def work():
            if not f.get("name", "").strip() or not f.get("matter", "").strip():
                raise InputError("请填写发问人姓名和发问事由")
            service = service_names(g.rules).resolve(f["service"], "办事事项") if f.get("service", "").strip() else None
            channel = channel_names().resolve(f.get("channel") or "来访", "渠道")
            visitor = {k: f.get(k, "").strip() for k in ("name", "phone", "organization", "address")}
            when = now()          # the desk's clock dates the event and its commit alike
            rec = register(root, g.rules, g.me, when, visitor, f["matter"].strip(), channel, service, commit_at=when)
            return url_for("record", rid=rec.id, new=1)
        return write(f.get("once", ""), work)

    def unreadable(e: InputError):
        """Why a record can't be opened, naming its file: missing (404), or there but broken (422)."""
        missing = isinstance(e, NotFound)       # else broken, or two under one id
        return render_template("message.html", title="没有这件事项" if missing else "无法打开", message=str(e),
                               problems=[p.line() for p in e.problems]), 404 if missing else 422

    @app.get("/r/<rid>")
    def record(rid):
        try:
            rec = load_for_write(root, rid)
        except InputError as e:
            return unreadable(e)
        entry = evaluate(rec, g.rules, now())          # a moment: an hour clock's deadline passes within a day
        offered = steps.offered(entry.state, steps.handover_of(entry.state, g.rules, local_day(now()))) if entry.state else []
        return render_template("record.html", v=clerk_view(entry, g.rules, local_day(now()), now()), rid=rid,
                               offered=[a for a in offered if a != "rated"], fields=steps.STEPS,
                               just_registered=request.args.get("new"),
                               departments=g.rules.departments.values(), staff=on_roster(g.rules, local_day(now())),
                               can_rate=entry.state is not None and "rated" in offered)

    @app.post("/r/<rid>/<action>")
    def act(rid, action):
        if action not in steps.STEPS or action == "rated":
            abort(404)

        def work():
            rec = load_for_write(root, rid)
            when = now()
            entry = evaluate(rec, g.rules, local_day(when))
            ev = {"at": when, "by": g.me, "action": action}
            ev.update(steps.build(action, g.rules, rec, entry.state, when, g.me, request.form.to_dict()))
            if request.form.get("note", "").strip():
                ev["note"] = request.form["note"].strip()
            append_event(root, g.rules, rid, ev, commit_at=when)
            return url_for("record", rid=rid)
        return write(request.form.get("once", ""), work)

    @app.get("/r/<rid>/<kind>.html")
    def printout(rid, kind):
        from ..publish.receipt import lookup_url, render
        if kind not in ("receipt", "pickup"):
            abort(404)
        try:
            rec = load_for_write(root, rid)
        except InputError as e:
            return unreadable(e)
        entry = evaluate(rec, g.rules, local_day(now()))
        if kind == "pickup" and (entry.state is None or entry.state.completed_at is None):
            return render_template("message.html", title="不能打印", message="尚未办结，不能打印取件登记表",
                                   back=url_for("record", rid=rid)), 422
        return render(entry, g.rules, pickup=kind == "pickup", lookup=lookup_url(root, rid))

    from .pad import pad
    app.register_blueprint(pad)
    return app


def problems_of(rules):
    return [p for p in rules.problems if p.severity == ERROR]
