"""Where the window's files are: assets next to the package, exports in a folder the user sees."""

from __future__ import annotations

import os
import time
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets"
FONT = ASSETS / "fonts" / "wqy-microhei.ttc"
THEME = ASSETS / "theme.json"
EXPORT_ENV = "DINER_EXPORT_DIR"


def export_root() -> Path:
    """``$DINER_EXPORT_DIR``, else ``Deadlock Diner`` in the user's documents folder."""
    given = os.environ.get(EXPORT_ENV)
    if given:
        return Path(given).expanduser().resolve()
    from platformdirs import user_documents_dir

    return Path(user_documents_dir()) / "Deadlock Diner"


def export_folder(root: Path, scenario: str, strategy: str) -> Path:
    """A new, not yet existing folder for one round's files."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = root / f"{stamp}-{scenario}-{strategy}"
    folder, n = base, 1
    while folder.exists():
        n += 1
        folder = base.with_name(f"{base.name}-{n}")
    return folder
