"""The window rating pad (好差评评价器): a screen facing the visitor.

The clerk sends a closed matter to the pad from its record page; the pad (a second window of the
same desk session, on a tablet-sized screen) shows 1–5 and records the visitor's rating through the
writer, as a `rated` event of the clerk's matter marked `given_by: visitor`.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, request, url_for

from ..core import steps
from ..core.ledger import evaluate
from ..core.problems import InputError
from ..core.record import local_day
from ..repo.writer import BusyError, append_event, load_for_write

pad = Blueprint("pad", __name__)


def _queue() -> dict:
    return current_app.extensions["shouwen_pad"]


def _waiting():
    """The matter waiting for this desk's visitor, with what the pad may show (nothing personal)."""
    rid = _queue().get(g.me)
    if not rid:
        return None
    try:
        rec = load_for_write(current_app.config["ROOT"], rid)
    except InputError:                  # removed or broken since it was sent: nothing to rate
        _queue().pop(g.me, None)
        return None
    svc = g.rules.service_for(rec.meta.get("service"))
    return {"id": rid, "matter": svc.name if svc else "咨询事项", "clerk": g.rules.who(g.me)}


@pad.get("/pad")
def pad_page():
    if g.me is None:
        return redirect(url_for("login"))
    return render_template("pad.html", waiting=_waiting(), scale=g.rules.policy.satisfaction)


@pad.get("/pad/state")
def pad_state():
    return jsonify(_waiting() or {})


@pad.post("/r/<rid>/pad")
def send_to_pad(rid):
    try:
        rec = load_for_write(current_app.config["ROOT"], rid)
    except InputError:
        abort(404)
    now = current_app.extensions["shouwen_now"]()
    entry = evaluate(rec, g.rules, local_day(now))
    if entry.state is None or "rated" not in steps.offered(entry.state):
        return render_template("message.html", title="不能评价", message="该事项尚未办结或已评价过",
                               back=url_for("record", rid=rid)), 422
    _queue()[g.me] = rid
    return redirect(url_for("record", rid=rid, pad=1))


@pad.post("/pad/rate")
def rate():
    rid = request.form.get("id", "")
    taken = _queue().pop(g.me, None)          # atomic: of two taps, only one goes on
    if taken != rid:
        if taken is not None:
            _queue()[g.me] = taken
        return render_template("pad.html", waiting=None, scale=g.rules.policy.satisfaction,
                               thanks="已收到您的评价，谢谢！"), 409
    root = current_app.config["ROOT"]
    now = current_app.extensions["shouwen_now"]()
    try:
        rec = load_for_write(root, rid)
        entry = evaluate(rec, g.rules, local_day(now))
        ev = {"at": now, "by": g.me, "action": "rated"}
        ev.update(steps.build("rated", g.rules, rec, entry.state, now, g.me,
                              {"score": request.form.get("score"), "comment": request.form.get("comment")}))
        ev["given_by"] = "visitor"
        append_event(root, g.rules, rid, ev, commit_at=now)
    except (InputError, BusyError) as e:
        _queue()[g.me] = rid
        return render_template("pad.html", waiting=_waiting(), scale=g.rules.policy.satisfaction, error=str(e)), 422
    return render_template("pad.html", waiting=None, scale=g.rules.policy.satisfaction, thanks="谢谢您的评价！")
