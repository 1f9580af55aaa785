"""Every audit action code the code writes is listed in docs/architecture.md's "Audit" section,
where readers of the log look up what an entry means.

The codes are read from the source, not from a running system: each ``action=`` argument of a
call in ``src/coop4int`` (tests aside) that is a string, or a name assigned a string in the
same module (``LANGUAGE_CHANGED = "cases.case.language_changed"``; ``action = "…"`` in a
branch), shaped like a code (``app.object.verb``, or ``app.verb`` as ``accounts.logout``)."""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import coop4int

SOURCE = Path(coop4int.__file__).parent
ARCHITECTURE = SOURCE.parent.parent / "docs" / "architecture.md"
CODE = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*){1,2}$")


def _strings(node: ast.AST) -> Iterator[str]:
    """The string constants of an expression (``"a.b.c"``, both sides of ``x if c else y``)."""
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield child.value


def _assigned(tree: ast.Module, name: str) -> Iterator[str]:
    """The strings ``name`` is assigned anywhere in the module, alone or in a tuple
    (``translation, action = None, "directory.translation.removed"``)."""
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        value = getattr(node, "value", None)
        for target in targets:
            if isinstance(target, ast.Name) and target.id == name and value is not None:
                yield from _strings(value)
            elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
                for item, item_value in zip(target.elts, value.elts, strict=False):
                    if isinstance(item, ast.Name) and item.id == name:
                        yield from _strings(item_value)


def _codes_in(path: Path) -> Iterator[tuple[str, str]]:
    """(code, where) for each ``action=`` of a call in the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg != "action":
                continue
            if isinstance(keyword.value, ast.Name):
                found = list(_assigned(tree, keyword.value.id))
            elif isinstance(keyword.value, (ast.Constant, ast.IfExp)):
                found = list(_strings(keyword.value))
            else:  # ``data["action"]``, an attribute: not a code written here
                found = []
            where = f"{path.relative_to(SOURCE)}:{node.lineno}"
            yield from ((code, where) for code in found if CODE.match(code))


def written_codes() -> dict[str, str]:
    """Every audit code the source writes, with one place that writes it."""
    codes: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        parts = path.relative_to(SOURCE).parts
        if "tests" in parts or "migrations" in parts:
            continue
        for code, where in _codes_in(path):
            codes.setdefault(code, where)
    return codes


def documented_codes() -> set[str]:
    """The codes listed in the "Audit" section of docs/architecture.md, as `code`."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("\n## Audit\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([a-z][a-z_]*(?:\.[a-z][a-z_]*){1,2})`", section))


def test_the_source_is_read_for_codes_written_in_every_way():
    codes = written_codes()
    # A literal, a module constant, a variable set in a branch, a code of two parts.
    assert {
        "cases.case.viewed",
        "cases.case.language_changed",
        "privacy.access.exported",
        "directory.translation.removed",
        "directory.translation.saved",
        "accounts.logout",
    } <= set(codes)
    assert len(codes) > 60


def test_every_audit_code_written_is_documented():
    documented = documented_codes()
    missing = sorted(
        f"{code} (written at {where})"
        for code, where in written_codes().items()
        if code not in documented
    )
    assert missing == [], (
        "Audit codes missing from the list in docs/architecture.md's 'Audit' section: "
        + ", ".join(missing)
    )
