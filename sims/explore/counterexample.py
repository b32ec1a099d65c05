"""A failing schedule saved to a file (JSON, versioned) and read back strictly.

The file names the exercise, the player's file (and its SHA-256, so a replay can say
the code changed), the seed, the verdict and the exact picks. Replaying the picks on the
same code gives the same verdict: only one agent moves between two points.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import cattrs

from sims.textfile import FileRefused, check_depth, read_text

FORMAT = "diner-counterexample"
VERSION = 1


class BadCounterexample(ValueError):
    """The file is not a counterexample this version reads; the message names file and field."""


@attrs.frozen
class Counterexample:
    exercise: str
    agents: int
    seed: int
    code: str
    code_sha256: str
    phase: str
    verdict: str
    message: str
    schedule: list[int]
    evidence: list[str] = attrs.field(factory=list)
    line: int = 0
    backend: str = "thread"
    format: str = FORMAT
    version: int = VERSION

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(attrs.asdict(self), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Counterexample:
        try:
            data = json.loads(read_text(path))  # a FIFO, a device or a huge file is refused unread
            check_depth(data)
        except FileRefused as error:
            raise BadCounterexample(f"{path}: {error}") from None
        except OSError as error:
            raise BadCounterexample(f"{path}: cannot read it ({error.strerror or error})") from None
        except (ValueError, RecursionError) as error:
            raise BadCounterexample(f"{path}: not JSON ({str(error).splitlines()[0][:200]})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BadCounterexample(f"{path}: field 'format' must be {FORMAT!r}")
        if data.get("version") != VERSION:
            raise BadCounterexample(f"{path}: field 'version' is {data.get('version')!r}; this diner reads {VERSION}")
        try:
            return _converter().structure(data, cls)
        except cattrs.BaseValidationError as error:
            fields = "; ".join(cattrs.transform_error(error))
            raise BadCounterexample(f"{path}: {fields}") from None


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)

    def exact(kind: type) -> Callable[[Any, Any], Any]:
        def check(value: object, _: object) -> object:
            if type(value) is not kind:
                raise ValueError(f"expected {kind.__name__}, got {type(value).__name__}")
            return value

        return check

    for kind in (int, str):
        conv.register_structure_hook(kind, exact(kind))
    return conv
