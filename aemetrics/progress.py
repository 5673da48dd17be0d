"""A progress display for long runs: one line per phase on stderr, updated in place.

`Progress.for_terminal()` writes only when stderr is a terminal; in a pipe, a log file or cron
it writes nothing (the log lines say the same). The pipeline calls `phase(name)` when a phase
starts, `update(text)` as it goes (e.g. `parsed 40/205 files`), and `done()` at the end.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Silent unless given a stream; with one, `[2/5 build] text  3.1 s` redrawn in place."""

    PHASES = ("ingest", "raw checks", "build", "mart checks", "site")

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.current: str | None = None
        self.started = 0.0
        self.text = ""

    @classmethod
    def for_terminal(cls, stream: TextIO | None = None) -> Progress:
        stream = stream if stream is not None else sys.stderr
        try:
            tty = stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        return cls(stream if tty else None)

    def _draw(self, final: bool = False) -> None:
        if self.stream is None or self.current is None:
            return
        number = self.PHASES.index(self.current) + 1 if self.current in self.PHASES else "?"
        line = f"[{number}/{len(self.PHASES)} {self.current}] {self.text}".rstrip()
        line += f"  {time.perf_counter() - self.started:.1f} s"
        self.stream.write("\r\033[K" + line + ("\n" if final else ""))
        self.stream.flush()

    def phase(self, name: str) -> None:
        """A new phase starts: the previous one's line is finished with its time."""
        self._draw(final=True)
        self.current, self.started, self.text = name, time.perf_counter(), ""
        self._draw()

    def update(self, text: str) -> None:
        self.text = text
        self._draw()

    def done(self) -> None:
        self._draw(final=True)
        self.current = None


SILENT = Progress()
