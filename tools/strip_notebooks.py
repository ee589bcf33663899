"""Strip outputs, execution counts and widget state from every lesson notebook."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent


def strip(path: Path) -> bool:
    """Strip one notebook in place; True when it changed."""
    nb = nbformat.read(path, as_version=4)
    before = nbformat.writes(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    after = nbformat.writes(nb)
    if after != before:
        path.write_text(after + ("" if after.endswith("\n") else "\n"), encoding="utf-8")
        return True
    return False


def main() -> int:
    changed = [p.name for p in sorted((ROOT / "lessons").glob("*.ipynb")) if strip(p)]
    print(f"stripped {len(changed)} notebook(s): {', '.join(changed) or 'none needed it'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
