"""One error tree for leaderlens.

::

    LeaderlensError                 root: catch this to catch everything leaderlens raises
    ├── BadInputError               a file, frame or argument the user gave is wrong (CLI exit 2)
    │   └── ConflictError           a stored or repeated key arrives with other values
    ├── MissingDataError            the workspace lacks what a computation needs (CLI exit 2)
    └── EngineError                 the storage or compute engine failed (CLI exit 1)

Every error carries the place it is about (``file``, ``line``, ``field``, ``asset``, ``event``)
so that a message can say exactly what to fix.
"""

from __future__ import annotations

from collections.abc import Iterable


class LeaderlensError(Exception):
    """Root of every error leaderlens raises on purpose."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        asset: str | None = None,
        event: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        self.asset = asset
        self.event = event
        super().__init__(self.__str__())

    def where(self) -> str:
        """The place the error is about, as ``file:line: field 'x'``; empty when unknown."""
        parts = []
        if self.file is not None:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        if self.asset is not None:
            parts.append(f"asset {self.asset!r}")
        if self.event is not None:
            parts.append(f"event {self.event!r}")
        return ": ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class BadInputError(LeaderlensError):
    """Input that cannot be used as given: the message says what to fix."""

    exit_code = 2


class ConflictError(BadInputError):
    """The same natural key arrives with values that differ from the ones already seen."""


class MissingDataError(LeaderlensError):
    """The workspace does not hold what a computation asks for."""

    exit_code = 2


class EngineError(LeaderlensError):
    """The storage or compute engine failed; nothing the user gave is known to be wrong."""


def check_choice(argument: str, value: object, allowed: Iterable[str]) -> str:
    """Validate a closed-set option once, at the door.

    Raises :class:`BadInputError` naming the argument, the allowed values and what arrived.
    """
    options = tuple(allowed)
    if not isinstance(value, str) or value not in options:
        raise BadInputError(
            f"{argument} must be one of {', '.join(options)}; got {value!r}", field=argument
        )
    return value


def unknown_name(kind: str, name: str, known: Iterable[str], *, named: bool = True) -> str:
    """The message for an id the workspace does not hold: the closest known one (difflib) or,
    failing that, the known ones (the first 20). ``named=False`` leaves the name out, for an
    error whose place (``asset='X'``) already says it: each name once."""
    from difflib import get_close_matches

    ids = sorted(set(map(str, known)))
    head = f"no {kind} {name!r} in the workspace" if named else "not in the workspace"
    close = get_close_matches(name, ids, n=1, cutoff=0.6)
    if close:
        return f"{head}; did you mean {close[0]!r}?"
    if not ids:
        return f"{head}: it holds no {kind}s yet"
    listed = ", ".join(ids[:20]) + (f", ... ({len(ids)} in all)" if len(ids) > 20 else "")
    return f"{head}; known: {listed}"


def unknown_asset(asset: str, known: Iterable[str]) -> MissingDataError:
    """The error for an asset id the workspace does not hold (named once, by its place)."""
    return MissingDataError(unknown_name("asset", asset, known, named=False), asset=asset)
