"""A synthetic agency with a realistic history (`shouwen demo`): one commit per event, dated as it
happened, authored and worded as the writer commits it; written straight into one Git pack
(`replay`, `gitio.pack`), or through the writer itself with `via_writer` (a test holds the two the same).
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from ..collector import paused
from ..core.record import CST
from ..core.rules import PROMISED
from .loader import load_rules
from .setup import init_repo
from ..core.ladder import step_for
from .demo_office import office_steps
from .replay import Replay
from .writer import append_event, register, register_account

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰玉萍红梅鑫波斌宇浩凯健俊帆帅旭宁欣瑶婷雪琳晨阳佳怡子涵梓轩"
STREETS = ["东大街", "西大街", "南关路", "北关街", "新华路", "建设路", "海藏路", "祁连大道", "天马路", "富民路", "西关街", "文化路"]
DISTRICTS = ["凉州区", "古浪县", "民勤县", "天祝县"]
ORGS = ["示例市第三中学", "示例市人民医院", "凉州区东关街道办事处", "示例市顺达物流有限公司", "示例市金城建筑工程有限公司",
        "示例市农业农村局", "示例市明德社区服务中心", "示例市蓝天志愿者协会", "示例市惠民药业有限公司", "示例市春晖幼儿园"]
GENERAL_MATTERS = [
    ("咨询政务服务中心周末是否办公", "中心周一至周五办公，法定节假日休息，调休上班日照常办公。"),
    ("询问停车位置", "已告知大厅西侧地下停车场入口。"),
    ("咨询办理居住证的地点", "居住证由公安机关办理，已告知派出所地址和电话。"),
    ("询问社保卡补办流程", "社保卡由人社部门办理，已告知人社局窗口位置。"),
    ("咨询不动产登记需要的材料", "不动产登记在二楼不动产窗口办理，已引导并告知材料。"),
    ("询问本局信息公开指南在哪里查看", "已告知政务公开网站和大厅触摸屏的位置。"),
    ("咨询复印材料的地方", "大厅东侧自助服务区可免费复印。"),
    ("询问投诉电话", "已告知监督投诉电话 0935-2210012。"),
]
SERVICE_MATTERS = {
    "birth-permit": ["申请再生育审批", "咨询再生育审批条件并提交材料", "代配偶申请再生育审批"],
    "birth-registration": ["办理第二个子女生育登记", "办理生育登记", "咨询生育登记是否需要结婚证"],
    "honor-certificate": ["补办独生子女父母光荣证", "光荣证遗失申请补办"],
    "special-assistance": ["申请计划生育特别扶助金", "咨询特别扶助金申请条件"],
    "marital-status-proof": ["开具婚育情况证明", "为入职开具婚育情况证明"],
    "social-org-registration": ["申请成立社会团体", "咨询社会团体成立登记条件"],
    "info-disclosure": ["申请公开2025年度部门预算执行情况", "申请公开生育服务统计数据", "申请公开扶助金发放标准文件"],
    "admin-review": ["对不予再生育审批决定申请行政复议", "咨询行政复议受理范围并提交申请"],
    "archive-lookup": ["查询本人1998年独生子女证发放档案", "查阅单位历年计生奖励档案"],
}
RESULTS = {
    "birth-permit": "准予再生育，已出具再生育审批决定书", "birth-registration": "已办理生育登记，出具登记凭证",
    "honor-certificate": "已补发独生子女父母光荣证", "special-assistance": "经审核公示，确认为特别扶助对象",
    "marital-status-proof": "已出具婚育情况证明", "social-org-registration": "准予登记，发给社会团体法人登记证书",
    "info-disclosure": "已书面答复并提供所申请的信息", "admin-review": "已受理，送达受理通知书",
    "archive-lookup": "已提供档案复印件并加盖档案证明章",
}
RECEPTION = ["J005", "J006", "J007", "J008"]
# a synthetic agency's lookup keys: 1,000 rounds (RFC 8018's least) instead of 50,000, said in its rules and
# in each record, so a demo of thousands of matters is written in seconds; `check` warns of it
DEMO_LOOKUP = """
# 示例机构：查询密钥只派生 1000 轮（默认 50000 轮），以便几秒钟内生成成千上万件示例事项。
# 正式机构请删去这两行：轮数越少，回执上的查询码越容易被逐个试出（shouwen check 会警告）。
lookup:
  rounds: 1000
"""
COMMENTS_BAD = ["等待时间太长", "窗口人员态度生硬", "材料要求说得不清楚，跑了两趟", "电话一直没人接"]


class _Clock:
    """Moves a matter forward in working days and office hours."""

    def __init__(self, cal, rng):
        self.cal, self.rng = cal, rng

    def at(self, day: date, lo=(8, 40), hi=(17, 40)) -> datetime:
        a, b = lo[0] * 60 + lo[1], hi[0] * 60 + hi[1]
        m = self.rng.randint(a, b)
        return datetime.combine(day, time(m // 60, m % 60), CST)

    def minutes(self, t: datetime, lo=5, hi=40) -> datetime:
        return t + timedelta(minutes=self.rng.randint(lo, hi))

    def days(self, t: datetime, n: int) -> datetime:
        d = self.cal.add(t.date(), n)
        if n == 0:
            return self.minutes(t, 20, 120)
        return self.at(d)


def _person(rng, rules=None):
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    # never a part of a staff name the site publishes (陈静 beside 陈静怡 on the board: the privacy guard can't
    # tell them apart, and at ten thousand visitors some meet): lengthened without drawing again, so the
    # random stream, and every other matter of the plan, stay what they were
    published = [s.name for s in rules.staff.values()] if rules is not None else []
    i = 0
    while any(name in p for p in published):
        name += GIVEN[(len(name) + i) % len(GIVEN)]
        i += 1
    v = {"name": name, "phone": "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))}
    if rng.random() < 0.35:
        v["organization"] = rng.choice(ORGS)
    if rng.random() < 0.6:
        v["address"] = f"示例市{rng.choice(DISTRICTS)}{rng.choice(STREETS)}{rng.randint(1, 260)}号"
    return v


def _staff_of(rules, dept, rng, exclude=()):
    pool = [s.badge for s in rules.staff.values() if s.department == dept and s.role != "head" and s.badge not in exclude]
    return rng.choice(pool or [rules.departments[dept].head])


def _plan(rules, clock, rng, reg_at):
    """(registration, [events]) for one matter; events carry no id yet."""
    cal, pol = rules.calendar, rules.policy
    fr = rng.choice(RECEPTION) if rng.random() < 0.8 else rng.choice(
        [b for b, s in rules.staff.items() if s.raw.get("window")])
    channel = rng.choices(["visit", "phone", "letter", "online"], [70, 18, 4, 8])[0]
    roll = rng.random()
    ev = []
    t = reg_at

    def add(action, by, at, **kw):
        ev.append({"at": at, "by": by, "action": action, **kw})
        return at

    def rate_and_follow(t, handler):
        if rng.random() < 0.65:
            score = rng.choices([5, 4, 3, 2, 1], [55, 25, 10, 6, 4])[0]
            t = add("rated", fr, clock.minutes(t, 2, 30), score=score,
                    **({"comment": rng.choice(COMMENTS_BAD)} if score <= 2 else {}))
            if score in pol.bad_ratings and rng.random() < 0.85:
                late = rng.random() < 0.25
                n = pol.followup_limit + rng.randint(1, 3) if late else rng.randint(0, pol.followup_limit)
                add("followed_up", fr, clock.days(t, n), note="回访发问人，说明情况并致歉，已督促整改")
        return t

    if roll < 0.30:  # answered on the spot
        matter, answer = rng.choice(GENERAL_MATTERS)
        reg = {"matter": matter, "service": None, "channel": channel, "by": fr}
        who = fr
        if rng.random() < 0.12:  # beyond the desk's authority: passed up to the head, who answers
            who = rules.departments[rules.staff[fr].department].head
            t = add("escalated", fr, clock.minutes(t, 3, 10), to=who, reason="超出本人权限，报科室负责人")
        t = add("answered", who, clock.minutes(t, 3, 25), answer=answer)
        rate_and_follow(t, fr)
        return reg, ev
    if roll < 0.36:  # explained: not ours or not permitted
        matter = rng.choice(["要求本局出具房屋产权证明", "要求本局退还已缴纳的社会抚养费滞纳金", "咨询户口迁移"])
        reg = {"matter": matter, "service": None, "channel": channel, "by": fr}
        add("explained", fr, clock.minutes(t, 5, 30), reason="不属于本局职责，已耐心解释并告知主管部门的地址和电话")
        return reg, ev

    sid = rng.choice(list(SERVICE_MATTERS))
    svc = rules.services[sid]
    dept = svc.department
    reg = {"matter": rng.choice(SERVICE_MATTERS[sid]), "service": sid, "channel": channel, "by": fr}
    t = add("notified", fr, clock.minutes(t, 2, 15), materials=[m["名称"] for m in svc.materials])
    handler = _staff_of(rules, dept, rng)
    style = rng.random()
    if style < 0.08:  # responsible person away: relayed first
        t = add("relayed", fr, clock.minutes(t), message="承办人外出，已记下联系电话，承诺转告", to=dept, staff=handler)
    if style > 0.95:  # sent to the wrong department first, returned
        wrong = rng.choice([d for d in ("approvals", "law", "social") if d != dept])
        t = add("forwarded", fr, clock.days(t, rng.randint(0, 1)), to=wrong)
        w = _staff_of(rules, wrong, rng)
        t = add("returned", w, clock.days(t, rng.randint(0, 1)), reason=f"不属于本科室职责，应由{rules.dept_name(dept)}办理")
    late_forward = rng.random() < 0.07
    n = pol.forward_limit + rng.randint(1, 3) if late_forward else rng.randint(0, pol.forward_limit)
    if svc.kind == PROMISED or rng.random() < 0.5:
        t = add("forwarded", fr, clock.days(t, n), to=dept, staff=handler)
    else:
        t = add("referred", fr, clock.minutes(t, 3, 20), to=dept, staff=handler)
    late_accept = rng.random() < 0.05
    t = add("accepted", handler, clock.days(t, pol.sign_off_limit + 2 if late_accept else rng.randint(0, pol.sign_off_limit)))
    acc_day = t.date()
    if rng.random() < 0.08:
        add("note", handler, clock.minutes(t, 30, 180), text="申请人来电询问进度，已告知")
    if svc.kind == PROMISED:
        if rng.random() < 0.03:
            return reg, ev  # accepted, promise forgotten
        days = rng.randint(max(1, svc.promised_days // 2), svc.promised_days)
        due = cal.add(acc_day, days)
        t = add("promised", handler, clock.minutes(t, 5, 60), due=due)
        if rng.random() < 0.06 and svc.legal_days > days:
            new_due = cal.add(acc_day, min(svc.legal_days, days + rng.randint(3, 8)))
            head = rules.departments[dept].head
            mid = clock.days(t, max(0, cal.count(acc_day, due) - 2))
            if mid.date() <= due:
                t = add("extended", handler, mid, due=new_due, reason="需入户核实，申请延期", approver=head)
                due = new_due
        if rng.random() < 0.3:
            add("followed_up", fr, clock.days(t, rng.randint(1, 3)), note="电话询问承办进度")
        fate = rng.random()
        if fate < 0.04:
            return reg, ev  # never completed: overdue and still open
        span = cal.count(acc_day, due)
        n = span + rng.randint(1, 4) if fate < 0.14 else rng.randint(min(1, span), span)
        t = add("completed", handler, clock.days(t if n == 0 else datetime.combine(acc_day, time(9), CST), n),
                result=RESULTS[sid])
    else:
        t = add("completed", handler, clock.days(t, min(svc.promised_days, rng.randint(0, 1))), result=RESULTS[sid])
    t = add("delivered", handler, clock.days(t, rng.randint(0, 3)),
            method=rng.choice(["窗口领取", "窗口领取", "邮寄送达", "电话告知并网上下载"]),
            **({"to": "本人"} if rng.random() < 0.7 else {}))
    rate_and_follow(t, handler)
    return reg, ev


class _ViaWriter:
    """The same steps through the writer, one git process per commit: what `Replay` must equal."""

    def __init__(self, root, rules, rng):
        self.root, self.rules, self.rng = root, rules, rng

    def register(self, by, at, visitor, matter, channel, service=None) -> str:
        return register(self.root, self.rules, by, at, visitor, matter, channel, service, rng=self.rng,
                        commit_at=at).id

    def register_account(self, kind, by, at, meta, first_event) -> str:
        return register_account(self.root, self.rules, kind, by, at, meta, first_event, commit_at=at).id

    def append_event(self, rid, event):
        append_event(self.root, self.rules, rid, event, commit_at=event["at"])

    def finish(self):
        pass


def make_demo(directory: str, size: int, start: date, end: date, seed: int = 1,
              via_writer: bool = False, progress=lambda done, total: None) -> tuple[str, int]:
    # the plan and the records are hundreds of thousands of objects made and kept, and no cycles among them:
    # the garbage collector's passes over them (a fifth of planning and serialising a large demo, and the
    # pack writer's, a process forked from this one) are skipped while the demo is made
    with paused():
        return _make_demo(directory, size, start, end, seed, via_writer, progress)


CLOSES = time(18, 0)        # the demo office's last moment of a day: what is written after it is the next day's


def last_closed_day(now: datetime) -> date:
    """The last day whose office hours are over at `now` (Beijing time): a demo writes nothing after it, so
    neither `check` nor `audit` finds an event or a commit from the future in it."""
    now = now.astimezone(CST)
    return now.date() if now.time() >= CLOSES else now.date() - timedelta(days=1)


def _make_demo(directory, size, start, end, seed, via_writer, progress) -> tuple[str, int]:
    end = max(start, min(end, last_closed_day(datetime.now(CST))))
    path = init_repo(directory, "bureau", policy_extra=DEMO_LOOKUP, when=datetime.combine(start, time(8, 0), CST))
    rules = load_rules(path)
    rng = random.Random(seed)
    clock = _Clock(rules.calendar, rng)
    days = [start + timedelta(d) for d in range((end - start).days + 1)]
    days = [d for d in days if rules.calendar.is_workday(d)]
    cutoff = datetime.combine(end, CLOSES, CST)
    regs = sorted(clock.at(rng.choice(days), (8, 35), (17, 20)) for _ in range(size))
    plans = []  # [registered at, registration, events, visitor]
    for reg_at in regs:
        reg, events = _plan(rules, clock, rng, reg_at)
        last = reg_at
        for ev in events:
            ev["at"] = max(ev["at"], last)  # keep each matter's events in order
            last = ev["at"]
        plans.append([reg_at, reg, events, _person(rng, rules)])
    # the office's corrections, voids, pauses, reopenings and reports, then the accountability records,
    # each from a random stream of its own, so the inquiries stay what they were
    office = office_steps(rules, office_clock(rules, seed), plans, cutoff, days)
    ops = []  # (time, plan index, order within the plan, kind, payload)
    for i, (reg_at, reg, events, visitor) in enumerate(plans):
        ops.append((reg_at, i, 0, "register", (reg, visitor)))
        ops += [(ev["at"], i, j + 1, "event", ev) for j, ev in enumerate(events) if ev["at"] <= cutoff]
    ops += _accountability(rules, clock_for(rules, seed), ops, cutoff, days) + office
    ops.sort(key=lambda o: (o[0], o[1], o[2]))
    out = (_ViaWriter if via_writer else Replay)(path, rules, rng)
    codes = random.Random(seed * 15485863 + 7)     # the duplicates' lookup codes, apart from the others'
    ids = {}
    for n, (at, i, _, kind, payload) in enumerate(ops):
        if kind in ("register", "duplicate"):
            reg, visitor = payload
            if kind == "duplicate":
                out.rng, codes = codes, out.rng
            ids[i] = out.register(reg["by"], at, visitor, reg["matter"], reg["channel"], reg["service"])
            if kind == "duplicate":
                out.rng, codes = codes, out.rng
        elif kind == "void":            # names the registration it duplicates, by the id it was given
            ev, original = payload
            out.append_event(ids[i], {**ev, "reason": ev["reason"].format(original=ids[original])})
        elif kind == "account":
            acc_kind, by, meta, first = payload
            if meta.get("inquiry") is not None:
                meta = {**meta, "inquiry": ids[meta["inquiry"]]}
            ids[i] = out.register_account(acc_kind, by, at, meta, first)
        else:   # an event, on an inquiry or on an accountability record registered earlier
            out.append_event(ids[i], payload)
        progress(n + 1, len(ops))
    out.finish()
    return path, len(ops)


def clock_for(rules, seed):
    return _Clock(rules.calendar, random.Random(seed * 7919 + 13))


def office_clock(rules, seed):
    return _Clock(rules.calendar, random.Random(seed * 104729 + 31))


INSPECTION_ITEMS = ["文明用语", "让坐", "倒茶", "办事", "送行"]
COMPLAINT_SUMMARIES = ["窗口人员态度生硬，不耐烦", "材料没有一次说清，来回跑了三趟", "电话转来转去没人负责",
                       "承诺的日期到了还没办好", "午休前提前停止受理"]


# 接访室 rules on complaints; where the complaint is against one of its own line, the 首问办公室 does
JUDGES = ("J022", "J023", "J003", "J024")


def verdict_judge(rules, against: str) -> str:
    """Who rules on a complaint against `against`: never someone in conflict (as the writer refuses)."""
    from ..core.roles import conflict
    return next(j for j in JUDGES if conflict(rules, j, [against]) is None)


def _accountability(rules, clock, ops, cutoff, days):
    """Complaints (some substantiated, sanctioned as the ladder says), commendations and monthly
    inspections, about the matters already planned."""
    rng = clock.rng
    out = []
    n = 100000
    matters = [(o[0], o[1], o[4][0]) for o in ops if o[3] == "register"]
    rated = {o[1]: o[4].get("score") for o in ops if o[3] == "event" and o[4].get("action") == "rated"}
    verdicts = []
    for reg_at, i, reg in matters:
        bad = rated.get(i) in rules.policy.bad_ratings
        if not (bad and rng.random() < 0.45 or rng.random() < 0.012):
            continue
        at = clock.days(reg_at, rng.randint(1, 4))
        if at > cutoff:
            continue
        n += 1
        meta = {"channel": rng.choice(["box", "hotline", "hotline", "center"]), "against": [reg["by"]],
                "inquiry": i, "summary": rng.choice(COMPLAINT_SUMMARIES), "complainant": _person(rng, rules)}
        out.append((at, n, 0, "account", ("complaints", "J022", meta, {"action": "registered"})))
        late = rng.random() < 0.1
        vat = clock.days(at, rules.policy.verdict_limit + rng.randint(1, 3) if late else rng.randint(3, rules.policy.verdict_limit))
        if vat > cutoff:
            continue
        found = rng.random() < 0.55
        ev = {"at": vat, "by": verdict_judge(rules, reg["by"]), "action": "verdict", "finding": "substantiated" if found else "unfounded",
              "reason": "经调查核实，情况属实" if found else "经调查核实，工作人员已按规定办理，投诉不属实"}
        out.append((vat, n, 1, "account-event", ev))
        if found:
            verdicts.append((vat, n, reg["by"]))
    counts: dict = {}
    lad = rules.policy.ladder
    for vat, n_, badge in sorted(verdicts):
        counts[(badge, vat.year)] = counts.get((badge, vat.year), 0) + 1
        step = step_for(lad, counts[(badge, vat.year)]) if lad is not None and lad.kind == "count" else None
        sat = clock.days(vat, rng.randint(1, 5))
        if step is None or sat > cutoff or rng.random() < 0.15:     # some decisions still pending
            continue
        ev = {"at": sat, "by": "J003", "action": "sanctioned", "staff": badge, "measures": list(step.measures),
              "bonus_deduction": step.bonus_deduction, "decision": f"示政服发〔{sat.year}〕{rng.randint(10, 99)}号"}
        if rng.random() < 0.2:
            ev.update(measures=["批评教育"], bonus_deduction=0.0, deviation="初次被投诉且已主动向投诉人致歉，领导小组研究决定从轻处理")
        out.append((sat, n_, 2, "account-event", ev))
    for reg_at, i, reg in matters:
        if rated.get(i) == 5 and rng.random() < 0.08:
            at = clock.days(reg_at, rng.randint(1, 6))
            if at <= cutoff:
                n += 1
                out.append((at, n, 0, "account", ("commendations", "J004", {"staff": reg["by"], "inquiry": i},
                                                  {"action": "commended", "note": "群众来电表扬，服务热情、解答耐心"})))
    months = sorted({(d.year, d.month) for d in days})
    for y, m in months:
        month_days = [d for d in days if (d.year, d.month) == (y, m)]
        at = clock.at(rng.choice(month_days), (9, 0), (16, 30))
        if at > cutoff:
            continue
        n += 1
        findings = [{"item": item, "passed": rng.random() > 0.15} for item in INSPECTION_ITEMS]
        out.append((at, n, 0, "account", ("inspections", "J004", {"staff": rng.choice(RECEPTION)},
                                          {"action": "inspected", "findings": findings})))
    return out
