"""The rule that keeps access decisions in one place (accounts/policy.py): no other module of
the portal tests a role, reads memberships or asks Django's superuser flag, and no view
reaches a model's rows except through a selector or a service. Read from the source, so a
new page that forgets it fails here before it can leak."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from accounts.models import Role

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "accounts",
    "incidents",
    "policy",
    "outbox",
    "harassment_portal",
    "audit",
    "mfa",
    "api",
    "dashboard",
)

# The policy itself; the model that defines roles; the writers of memberships (the account
# service, the demo data and the benchmark's data); settings. Role.choices (a field's
# choices) is not a test.
MAY_NAME_ROLES = {
    "accounts/policy.py",
    "accounts/models.py",
    "accounts/services.py",
    "accounts/admin.py",
    "harassment_portal/management/commands/seed_demo.py",
    "incidents/bench_data.py",
}
ROLE_MEMBERS = {role.name for role in Role}
VIEW_MODULES = (
    "accounts/views.py",
    "policy/views.py",
    "incidents/views",
    "outbox/views.py",
    "audit/views.py",
    "mfa/views.py",
    "api/views",
    "api/reports.py",
    "api/cases.py",
    "dashboard/views.py",
)


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in relative:
                yield relative, ast.parse(path.read_text(), filename=relative)


def _role_tests(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            if owner == "Role" and node.attr in ROLE_MEMBERS:
                found.append(f"line {node.lineno}: Role.{node.attr}")
            if owner == "Membership" and node.attr == "objects":
                found.append(f"line {node.lineno}: Membership.objects")
            if node.attr in {"is_superuser", "has"} and isinstance(node.ctx, ast.Load):
                found.append(f"line {node.lineno}: .{node.attr}")
        if isinstance(node, ast.Name) and node.id in {"access_of", "CENTER_ROLES"}:
            found.append(f"line {node.lineno}: {node.id}")
    return found


def _model_names() -> set[str]:
    from django.apps import apps

    return {model.__name__ for model in apps.get_models()}


def _direct_queries(tree: ast.AST, models: set[str]) -> list[str]:
    return [
        f"line {node.lineno}: {node.value.id}.objects"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "objects"
        and isinstance(node.value, ast.Name)
        and node.value.id in models
    ]


def test_no_module_outside_the_policy_tests_a_role():
    offenders = {
        module: found
        for module, tree in _modules()
        if module not in MAY_NAME_ROLES and (found := _role_tests(tree))
    }
    assert offenders == {}, "ask accounts/policy.py instead: " + repr(offenders)


def test_no_view_queries_a_model_directly():
    models = _model_names()
    offenders = {
        module: found
        for module, tree in _modules()
        if module.startswith(VIEW_MODULES) and (found := _direct_queries(tree, models))
    }
    assert offenders == {}, "go through a selector or a service: " + repr(offenders)


@pytest.mark.parametrize(
    "source, caught",
    [
        ("if access.has(Role.MANAGER): pass", True),
        ("x = Membership.objects.filter(user=user)", True),
        ("ok = user.is_superuser", True),
        ("field = models.CharField(choices=Role.choices)", False),
        ("can = capabilities_of(user).reviews", False),
    ],
)
def test_the_check_catches_what_it_must(source, caught):
    assert bool(_role_tests(ast.parse(source))) is caught


def test_the_view_check_catches_a_direct_query():
    assert _direct_queries(ast.parse("Candidate.objects.filter(pk=1)"), {"Candidate"})
    assert not _direct_queries(ast.parse("get_case_file_for_user(user, 1)"), {"Candidate"})
