"""Escalation (上报), pure: who is next up the chain for a staff member, by the policy's
`escalation_chain` of roles (hotel: 员工→主管→经理→总监→副总→总经理), else the nearest head above."""
from __future__ import annotations


def _by_chain(rules, me: str, gone=frozenset()) -> str | None:
    """The next person up the policy's escalation chain (hotel: 主管→经理→总监→副总→总经理): the next role
    after mine, looked for in my department, then the departments above it, then anywhere."""
    chain = rules.policy.escalation_chain
    mine = rules.staff.get(me)
    if not chain or mine is None:
        return None
    after = chain[chain.index(mine.role) + 1:] if mine.role in chain else chain
    depts = []
    d = rules.departments.get(mine.department)
    while d is not None:
        depts.append(d.id)
        d = rules.departments.get(d.parent or "")
    for role in after:
        holders = [s for s in rules.staff.values() if s.role == role and s.badge != me and s.badge not in gone]
        for dept in depts:
            found = [s.badge for s in holders if s.department == dept]
            if found:
                return sorted(found)[0]
        if holders:
            return sorted(s.badge for s in holders)[0]
    return None


def _head_above(rules, me: str, gone=frozenset()) -> str | None:
    """The head of my department, or of the first department above it whose head is not me."""
    dept = rules.departments.get(rules.department_of(me) or "")
    while dept is not None and (dept.head in (None, me) or dept.head in gone):
        dept = rules.departments.get(dept.parent or "")
    return dept.head if dept is not None else None


def escalation_target(rules, me: str, gone=frozenset()) -> str | None:
    """`gone`: the badges of those who have left by the escalation's day (rules/staff.yml `left:`), passed over."""
    return _by_chain(rules, me, gone) or _head_above(rules, me, gone)
