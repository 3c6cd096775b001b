"""What the outage tests saw, as one table per test module: outage (rows) x check (columns).

A module makes a `matrix` fixture with `matrix_fixture("title")`; each test records cells with
`matrix.record(outage, check, outcome)`; the table is written to the terminal when the
module's tests are done (without -s too), so a run shows what was measured, not only that it
passed."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest


class Matrix:
    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: dict[str, dict[str, str]] = {}
        self.columns: list[str] = []

    def record(self, outage: str, check: str, outcome: str) -> None:
        if check not in self.columns:
            self.columns.append(check)
        self.rows.setdefault(outage, {})[check] = outcome

    def lines(self) -> list[str]:
        if not self.rows:
            return []
        header = ["outage", *self.columns]
        body = [[o, *(cells.get(c, "-") for c in self.columns)] for o, cells in self.rows.items()]
        widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

        def line(row: list[str]) -> str:
            return " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))

        return [self.title, line(header), "-+-".join("-" * w for w in widths), *map(line, body)]


def matrix_fixture(title: str) -> Callable[..., Any]:
    @pytest.fixture(scope="module")
    def matrix(request: pytest.FixtureRequest) -> Iterator[Matrix]:
        table = Matrix(title)
        yield table
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if reporter is None or not table.rows:
            return
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            reporter.write_line("")
            for text in table.lines():
                reporter.write_line(text)

    return matrix


def seconds(value: float) -> str:
    return f"{value:.2f}s"
