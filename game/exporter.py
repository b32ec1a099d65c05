"""Export from the window (results and debrief alike): every format this installation writes,
into the round's own folder of the export root's dataset, and the line that says where."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from game import palette
from game.i18n import Tr
from game.paths import export_folder
from sims.rounds import RoundResult


@attrs.define
class Exporter:
    root: Path
    result: RoundResult
    written: list[Path] = attrs.field(factory=list)
    error: str = ""

    def export(self) -> list[Path]:
        """Write the round's tables (Parquet and CSV, or CSV without pyarrow) and summary.json."""
        from sims import ExportError, all_formats, write_round

        try:
            self.written = write_round(self.result, export_folder(self.root, self.result), all_formats())
            self.error = ""
        except ExportError as error:
            self.error = str(error)
        return self.written

    def draw(self, surface: Any, text: Any, tr: Tr, x: int, bottom: int, width: int, *, one_line: bool = False) -> None:
        """Where Export writes, what it wrote, or why it failed, ending at ``bottom``: the folder on a
        line of its own, or after the message on the same line (``one_line``)."""
        if self.error:
            line = text.fit(tr("results.export_failed", error=self.error), 15, width)
            text.draw(surface, line, (x, bottom - 20), 15, palette.BAD)
        elif self.written:
            said = tr("results.exported", count=len(self.written))
            if one_line:
                rest = width - text.font(15).size(said + " ")[0]
                text.draw(surface, said, (x, bottom - 20), 15, palette.GOOD)
                where = tail_that_fits(text, self.written[0].parent, 15, rest)
                text.draw(surface, where, (x + width - rest, bottom - 20), 15, palette.TEXT)
                return
            text.draw(surface, said, (x, bottom - 42), 15, palette.GOOD)
            where = tail_that_fits(text, self.written[0].parent, 14, width)
            text.draw(surface, where, (x, bottom - 20), 14, palette.TEXT)
        else:
            line = text.fit(tr("results.export_to", folder=self.root), 14, width)
            text.draw(surface, line, (x, bottom - 20), 14, palette.DIM)


def tail_that_fits(text: Any, folder: Path, size: int, width: int) -> str:
    """``folder`` whole if it fits, else ``…/`` and as many of its last parts as fit: the round's own
    folder names are what tell one export from another."""
    parts = folder.parts
    for start in range(len(parts)):
        shown = str(folder) if start == 0 else "…/" + "/".join(parts[start:])
        if text.fit(shown, size, width) == shown:
            return shown
    return text.fit("…/" + parts[-1], size, width)
