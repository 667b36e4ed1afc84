"""The floors in pyproject.toml cover every module, so a new module cannot sit outside the contract."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "ingest", "ui")


def _floors() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c["type"] == "layers"]
    return [name.strip() for floor in layers for name in floor.split("|")]


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if len(parts) > 1:  # the package roots hold only a docstring
                names.append(".".join(parts))
    return names


def test_every_module_sits_on_one_floor() -> None:
    floors = _floors()
    outside = [m for m in _modules() if not any(m == f or m.startswith(f + ".") for f in floors)]
    assert outside == [], f"add these modules to a floor in pyproject.toml: {outside}"


def test_the_floors_keep_the_package_order_ui_assistant_ingest() -> None:
    order = [f.split(".")[0] for f in _floors()]
    first_ingest = order.index("ingest")
    assert "ingest" not in order[:first_ingest] and all(p == "ingest" for p in order[first_ingest:])


def test_package_roots_hold_no_code() -> None:
    for package in PACKAGES:
        text = (ROOT / package / "__init__.py").read_text(encoding="utf-8")
        code = [
            line
            for line in text.splitlines()
            if line.strip().startswith(("import ", "from ", "def ", "class "))
        ]
        assert code == [], f"{package}/__init__.py: {code}"


def test_the_readme_layout_table_names_every_subpackage_and_nothing_else() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## 구성\n") : readme.index("## 웹 화면\n")]
    named = set(re.findall(r"`((?:assistant|ingest|ui)/[\w/.]*)`", section))
    missing = [n for n in named if not (ROOT / n).exists()]
    assert missing == [], f"README names folders that do not exist: {missing}"
    subpackages = {f"{p.parent.relative_to(ROOT)}/" for p in ROOT.glob("*/*/__init__.py")}
    subpackages = {s for s in subpackages if s.split("/")[0] in PACKAGES and s.count("/") == 2}
    unnamed = sorted(s for s in subpackages if s not in named and s != "ui/views/")
    assert unnamed == [], f"add these subpackages to README's 구성 table: {unnamed}"
