"""Saved progress: best stars per level and the chosen language, kept safe across crashes.

A save is written to a temporary file in the same directory, fsynced, then renamed over the
old one, so a crash leaves either the old save or the new one, never half of each. A save
that cannot be read is not fatal: it is moved aside with a timestamp, the player is told
which file, and play goes on from fresh progress.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import stat
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs
import cattrs
import platformdirs

from sims.levels.loader import issues, make_converter
from sims.levels.schema import LANGUAGES, FrozenMap, LevelSpec
from sims.textfile import MAX_DEPTH, FileRefused, check_depth, decode, read_bytes

APP_NAME = "deadlock-diner"
SAVE_NAME = "progress.json"
SAVE_VERSION = 1
MAX_STARS = 3
SAVE_ENV = "DINER_SAVE_FILE"


def default_save_path() -> Path:
    """Where the game keeps progress on this machine (not the working directory)."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / SAVE_NAME


def save_path() -> Path:
    """The save every command uses: ``$DINER_SAVE_FILE`` if set, else :func:`default_save_path`."""
    chosen = os.environ.get(SAVE_ENV)
    return Path(chosen) if chosen else default_save_path()


def _frozen(value: Mapping[str, int]) -> Mapping[str, int]:
    return FrozenMap(value)


@attrs.frozen
class Progress:
    """Best stars per level id and the interface language."""

    best_stars: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen)
    language: str = "en"

    def stars_for(self, level_id: str) -> int:
        return self.best_stars.get(level_id, 0)

    def record(self, level_id: str, stars: int) -> Progress:
        """Progress after a round: a worse round never lowers the best."""
        if not 0 <= stars <= MAX_STARS:
            raise ValueError(f"stars must be 0..{MAX_STARS}, got {stars}")
        best = max(stars, self.stars_for(level_id))
        return attrs.evolve(self, best_stars={**self.best_stars, level_id: best})

    def with_language(self, language: str) -> Progress:
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}")
        return attrs.evolve(self, language=language)


@attrs.frozen
class _SaveFile:
    """The JSON layout on disk; ``version`` lets a later game migrate old saves."""

    version: int
    language: str
    best_stars: Mapping[str, int]


@attrs.frozen
class LoadedProgress:
    """What loading found: the progress to play with, and a warning if the save was bad."""

    progress: Progress
    warning: str | None = None
    backup: Path | None = None


def _decode(text: str, conv: cattrs.Converter) -> Progress:
    """The progress in ``text``; ValueError says what is wrong with it."""
    try:
        data = json.loads(text)
        check_depth(data)
        save = conv.structure(data, _SaveFile)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc})") from exc
    except RecursionError:
        raise ValueError(f"nested deeper than {MAX_DEPTH}") from None
    except (cattrs.ClassValidationError, cattrs.IterableValidationError, TypeError) as exc:
        raise ValueError("; ".join(f"{f or 'save'}: {m}" for f, m in issues(exc))) from exc
    if save.version != SAVE_VERSION:
        raise ValueError(f"version: must be {SAVE_VERSION}, got {save.version}")
    if save.language not in LANGUAGES:
        raise ValueError(f"language: must be one of {', '.join(LANGUAGES)}, got {save.language!r}")
    for level_id, count in save.best_stars.items():
        if not 0 <= count <= MAX_STARS:
            raise ValueError(f"best_stars.{level_id}: must be 0..{MAX_STARS}, got {count}")
    return Progress(save.best_stars, save.language)


def encode(progress: Progress) -> str:
    data = {"version": SAVE_VERSION, "language": progress.language, "best_stars": dict(progress.best_stars)}
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _backup_path(path: Path, now: dt.datetime) -> Path:
    stamp = now.strftime("%Y%m%dT%H%M%S")
    candidate = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    return candidate


def load_progress(path: Path | None = None, now: dt.datetime | None = None) -> LoadedProgress:
    """Saved progress, fresh progress if there is none, or fresh progress plus a warning if corrupt."""
    path = path or default_save_path()
    try:
        raw = read_bytes(path)  # refuses FIFOs, devices and huge files without reading them
    except FileNotFoundError:
        return LoadedProgress(Progress())
    except FileRefused as reason:
        return _set_aside(path, str(reason), now or dt.datetime.now(dt.UTC))
    except OSError as exc:
        return LoadedProgress(Progress(), f"Could not read saved progress {path}: {exc}; starting fresh.")
    try:
        return LoadedProgress(_decode(decode(raw), make_converter()))
    except ValueError as reason:  # FileRefused (not UTF-8, nested too deep) is a ValueError too
        return _set_aside(path, str(reason), now or dt.datetime.now(dt.UTC))


def _set_aside(path: Path, reason: str, now: dt.datetime) -> LoadedProgress:
    """Keep the corrupt save for inspection under a timestamped name; play starts fresh."""
    backup = _backup_path(path, now)
    if not _movable(path):
        warning = f"Saved progress {path} is not a save ({reason}); left it where it is and started fresh."
        return LoadedProgress(Progress(), warning)
    try:
        os.replace(path, backup)
    except OSError as exc:
        warning = f"Saved progress {path} was corrupt ({reason}) and could not be moved aside ({exc}); started fresh."
        return LoadedProgress(Progress(), warning)
    warning = f"Saved progress {path} was corrupt ({reason}); moved it to {backup} and started fresh."
    return LoadedProgress(Progress(), warning, backup)


def _movable(path: Path) -> bool:
    """Whether a refused save may be renamed: a file, a link (the link moves, not its target), a
    FIFO or an empty folder. ``DINER_SAVE_FILE=/dev/zero`` run as root once renamed the device
    itself, and a folder with files in it (the user's home, say) is a mistake to report, not move."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return False
    if stat.S_ISDIR(mode):
        return not any(path.iterdir())
    return stat.S_ISREG(mode) or stat.S_ISLNK(mode) or stat.S_ISFIFO(mode)


def save_progress(progress: Progress, path: Path | None = None) -> Path:
    """Write atomically: temp file in the same directory, fsync, rename over the old save.

    A save that is a symlink stays one: the file it points to is replaced, not the link.
    """
    given = path or default_save_path()
    path = Path(os.path.realpath(given))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(encode(progress))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(path.parent)
    return given


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable where the platform allows opening directories."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def is_unlocked(levels: Sequence[LevelSpec], progress: Progress, level_id: str) -> bool:
    """The first level (by order) is open; any other opens once the one before has a star."""
    ordered = sorted(levels, key=lambda level: level.order)
    for i, level in enumerate(ordered):
        if level.id == level_id:
            return i == 0 or progress.stars_for(ordered[i - 1].id) >= 1
    raise KeyError(f"no level with id {level_id!r}")


def unlocked_ids(levels: Sequence[LevelSpec], progress: Progress) -> frozenset[str]:
    """Ids of every level the player may start now."""
    return frozenset(level.id for level in levels if is_unlocked(levels, progress, level.id))
