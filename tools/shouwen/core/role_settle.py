"""Roles as the office writes them (pure): `科长`, `副职`, `主管` in staff.yml and policy.yml made the role ids that
core/roles.py judges by."""
from __future__ import annotations

from .problems import Problem
from .roles import _values


def settle_roles(staff: dict, staff_rows: list, policy, problems: list) -> None:
    """Roles as the office writes them (`科长`, `副职`, `主管` or head, deputy, supervisor, or an unambiguous start of
    one) in staff.yml and in policy.yml's escalation chain and permissions, made the role ids. A role the
    policy itself names stays as it is (an agency's own); any other unknown or ambiguous one is a warning
    with the closest ("您是不是要找 …"): a person whose role nothing names is held to no rule."""
    from .names import ROLES, role_names
    vocab = role_names()

    def settle(value, path, where, known=None):
        """`known`: the roles the policy names (for staff.yml); None in the policy, where a role no
        vocabulary knows is the agency's own, named there first."""
        if not isinstance(value, str) or value in ROLES or known is not None and value in known:
            return value
        key = vocab.find(value)
        if key is None and known is not None:
            problems.append(Problem("rules-invalid", vocab.refusal(value, "role"), path=path, field=where,
                                    severity="warning"))
        return key or value

    pol = "rules/policy.yml"
    policy.escalation_chain = [settle(r, pol, f"escalation_chain[{i}]") for i, r in enumerate(policy.escalation_chain)]
    for duty, grants in policy.permissions.grants.items():
        for i, g in enumerate(grants):
            if "role" in g:
                names = [settle(r, pol, f"permissions.{duty}[{i}].role") for r in _values(g["role"])]
                g["role"] = names if isinstance(g["role"], list) else names[0]
    known = set(policy.escalation_chain) | {r for gs in policy.permissions.grants.values() for g in gs if "role" in g
                                           for r in _values(g["role"])}
    for s in staff.values():
        i = next((k for k, row in enumerate(staff_rows) if row is s.raw), None)
        s.role = settle(s.role, "rules/staff.yml", f"staff[{i}].role", known)
