"""The package's shape: data flows one way. No module imports, directly or through others, a
module that imports it; each stage imports only from the stages below it; an import inside a
function is there only for an optional dependency or start-up time, and says so."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "xlcheck"

# the stages, lowest first: a module may import from its own stage and the ones below it
STAGES = [
    {"xlcheck.errors", "xlcheck.grid", "xlcheck.findings", "xlcheck.fileio", "xlcheck.version", "xlcheck.values"},
    {"xlcheck.model"},
    {"xlcheck.rules", "xlcheck.sources"},
    {"xlcheck.locate"},
    {"xlcheck.check"},
    {"xlcheck.outputs"},
    {"xlcheck.verify", "xlcheck.batch", "xlcheck.office", "xlcheck.previous", "xlcheck.excel", "xlcheck.addin", "xlcheck.cli",
     "xlcheck.server", "xlcheck.wps", "xlcheck.__main__", "xlcheck"},
]
SEPARATE = {("xlcheck.rules", "xlcheck.sources"), ("xlcheck.sources", "xlcheck.rules")}   # same rank, unrelated
REASON = ("deferred", "optional")


def module_name(path: Path) -> str:
    parts = ("xlcheck",) + path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str, path: Path):
    """(imported module, line, inside a function) for every import of an xlcheck module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    known = modules()
    nested = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
              for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [module] + [f"{module}.{a.name}" for a in node.names]
        else:
            continue
        for target in targets:
            if target.startswith("xlcheck") and target in known:
                yield target, node.lineno, id(node) in nested, node


def graph() -> dict[str, set[str]]:
    return {name: {t for t, *_ in imports(name, path) if t != name} for name, path in modules().items()}


def stage_of(name: str) -> tuple[int, str]:
    for rank, stage in enumerate(STAGES):
        for prefix in sorted(stage, key=len, reverse=True):
            if name == prefix or name.startswith(prefix + "."):
                return rank, prefix
    raise AssertionError(f"{name} belongs to no stage: add it to STAGES")


def find_cycle(edges: dict[str, set[str]]):
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if state.get(nxt) is None:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_cycle():
    cycle = find_cycle(graph())
    assert cycle is None, " → ".join(cycle)


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_each_stage_imports_only_from_below():
    wrong = []
    for name, targets in graph().items():
        rank, stage = stage_of(name)
        for target in targets:
            other_rank, other = stage_of(target)
            if other_rank > rank or ((stage, other) in SEPARATE):
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_imports_inside_functions_say_why():
    unexplained = []
    for name, path in modules().items():
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for func in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
            body_imports = [n for n in ast.walk(func) if isinstance(n, (ast.Import, ast.ImportFrom))]
            for node in body_imports:
                # the reason may stand on any line of the run of imports the import belongs to
                first, last = node.lineno, node.end_lineno or node.lineno
                while first > 1 and lines[first - 2].strip().startswith(("from ", "import ")):
                    first -= 1
                while last < len(lines) and lines[last].strip().startswith(("from ", "import ")):
                    last += 1
                said = " ".join(lines[first - 1:last])
                if not any(word in said for word in REASON):
                    unexplained.append(f"{name}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    assert unexplained == []


def test_the_checker_flags_an_upward_import(tmp_path, monkeypatch):
    """A module of a lower stage importing a higher one is caught (the check can fail)."""
    fake = dict(modules())
    bad = tmp_path / "bad.py"
    bad.write_text("from xlcheck.outputs.report import to_json\n", encoding="utf-8")
    fake["xlcheck.grid"] = bad
    monkeypatch.setattr(__import__(__name__), "modules", lambda: fake)
    with pytest.raises(AssertionError, match="xlcheck.grid imports xlcheck.outputs"):
        test_each_stage_imports_only_from_below()
