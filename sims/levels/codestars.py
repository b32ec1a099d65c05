"""Stars for player code: read from the source (ast), so they grade what was written, never speed.

The first star is the grader's pass; the second and third ask for the rules a level names.
"""

from __future__ import annotations

import ast

import attrs

from sims.levels.code import CodeLevel, Rule, StarRule

SYNC_CALLS = frozenset({"acquire", "release", "wait", "wait_for", "notify", "notify_all", "set", "clear"})
BLOCKING_CALLS = frozenset({"acquire", "wait", "wait_for"})


@attrs.frozen
class RuleResult:
    rule: StarRule
    held: bool
    found: str  # what the code has, in a few words (e.g. "5 operations")


def _method(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else ""


def _non_blocking(call: ast.Call) -> bool:
    """``acquire(False)``, ``blocking=False`` or any ``timeout``: a call that does not simply wait."""
    if _method(call) not in BLOCKING_CALLS:
        return False
    first_false = bool(call.args) and isinstance(call.args[0], ast.Constant) and call.args[0].value is False
    keywords = {k.arg for k in call.keywords}
    return (
        first_false or "timeout" in keywords or "blocking" in keywords or (_method(call) == "wait" and bool(call.args))
    )


def _is_running(test: ast.expr) -> bool:
    return isinstance(test, ast.Call) and _method(test) == "running"


def busy_waits(tree: ast.AST) -> list[int]:
    """Lines that poll: a non-blocking wait, or a loop (not ``me.running()``) that never blocks."""
    lines = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call) and _non_blocking(n)]
    for loop in ast.walk(tree):
        if isinstance(loop, ast.While) and not _is_running(loop.test):
            calls = [n for n in ast.walk(loop) if isinstance(n, ast.Call)]
            if not any(_method(c) in BLOCKING_CALLS and not _non_blocking(c) for c in calls):
                lines.append(loop.lineno)
    return sorted(lines)


def operations(tree: ast.AST) -> int:
    """Synchronisation calls plus ``with lock:`` items (each an acquire and a release; ``me.critical`` is free)."""
    calls = sum(1 for n in ast.walk(tree) if isinstance(n, ast.Call) and _method(n) in SYNC_CALLS)
    withs = sum(
        2
        for n in ast.walk(tree)
        if isinstance(n, ast.With)
        for item in n.items
        if not isinstance(item.context_expr, ast.Call)
    )
    return calls + withs


def roles_tree(source: str, roles: tuple[str, ...]) -> ast.Module:
    """Only the role classes the player writes (given code does not count)."""
    tree = ast.parse(source)
    return ast.Module([n for n in tree.body if isinstance(n, ast.ClassDef) and n.name in roles], [])


def check_rule(rule: StarRule, tree: ast.AST) -> RuleResult:
    if rule.rule is Rule.NO_BUSY_WAIT:
        lines = busy_waits(tree)
        return RuleResult(rule, not lines, f"polls at line {lines[0]}" if lines else "no polling")
    if rule.rule is Rule.MAX_OPERATIONS:
        count = operations(tree)
        return RuleResult(rule, count <= rule.limit, f"{count} operations")
    uses = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call) and _method(n) == "notify_all"]
    return RuleResult(rule, not uses, f"notify_all at line {uses[0]}" if uses else "no notify_all")


def stars(level: CodeLevel, source: str, roles: tuple[str, ...], passed: bool) -> tuple[int, list[RuleResult]]:
    """Stars earned and every rule's result (0 stars when the grader found a failing schedule)."""
    tree = roles_tree(source, roles)
    two = [check_rule(r, tree) for r in level.stars.two]
    three = [check_rule(r, tree) for r in level.stars.three]
    if not passed:
        return 0, two + three
    if not all(r.held for r in two):
        return 1, two + three
    return (3 if all(r.held for r in three) else 2), two + three
