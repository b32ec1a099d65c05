"""Where the window's files are: assets next to the package, exports in a folder the user sees."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sims.rounds import RoundResult

ASSETS = Path(__file__).resolve().parent.parent / "assets"
FONT = ASSETS / "fonts" / "wqy-microhei.ttc"
THEME = ASSETS / "theme.json"
EXPORT_ENV = "DINER_EXPORT_DIR"


def export_root() -> Path:
    """``$DINER_EXPORT_DIR``, else ``Deadlock Diner`` in the user's documents folder (ValueError
    if the variable names no possible folder)."""
    given = os.environ.get(EXPORT_ENV)
    if given:
        try:
            return Path(given).expanduser().resolve()
        except (RuntimeError, OSError) as error:  # '~nobody/x': no such user; a loop of links
            raise ValueError(f"{EXPORT_ENV}={given!r}: cannot name a folder ({error})") from None
    from platformdirs import user_documents_dir

    return Path(user_documents_dir()) / "Deadlock Diner"


def export_folder(root: Path, result: RoundResult) -> Path:
    """The round's own folder in the export root's dataset: ``scenario=…/strategy=…/backend=…/seed=…/round=<id>``."""
    from sims import dataset_folder

    return dataset_folder(root, result, ("round", result.round_id))
