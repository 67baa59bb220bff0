"""Parse a few lines of OpenAPI and look at the IR they give.

`parse_document` runs the steps the pipeline runs before the parser (load, check, repair, validate,
here in this process), so a test document that is not valid OpenAPI fails loudly rather than
testing the parser on input it never gets.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from generator import ir
from generator.diagnostics import Collector
from generator.load import load_document
from generator.parse import ProjectNames, parse_api
from generator.repair import apply_repairs
from generator.validate import Validation, check_openapi

from ..conftest import write_spec


@dataclass
class Parsed:
    """An API's IR and what parsing it reported."""

    api: ir.Api
    report: Collector

    def model(self, name: str) -> ir.Model:
        return next(m for m in self.api.models if m.name == name)

    def enum(self, name: str) -> ir.Enum:
        return next(e for e in self.api.enums if e.name == name)

    def field(self, model: str, wire_name: str) -> ir.Field:
        return next(f for f in self.model(model).fields if f.wire_name == wire_name)

    def operation(self, operation_id: str) -> ir.Operation:
        return next(op for op in self.api.operations if op.operation_id == operation_id)

    @property
    def classes(self) -> list[str]:
        return [m.name for m in self.api.models] + [e.name for e in self.api.enums]

    @property
    def warnings(self) -> list[str]:
        """The codes of the warnings, in the order they were given."""
        return [w.code for w in self.report.warnings]

    def warning(self, code: str) -> str:
        """The message of the only warning with this code, after its location."""
        (found,) = [w for w in self.report.warnings if w.code == code]
        return f"#{found.location.pointer}: {found.message}"


def parse_document(folder: Path, text: str, name: str = "api.yaml") -> Parsed:
    path = write_spec(folder, text, name)
    report = Collector()
    doc = load_document(path)
    version = check_openapi(doc)
    apply_repairs(doc, report)
    validation = Validation(concurrent=False)
    validation.submit(doc, version)
    validation.raise_first_error()
    return Parsed(parse_api(doc, ProjectNames().claim(path.stem), report), report)


def parse_schemas(folder: Path, schemas: str, version: str = "3.1.0") -> Parsed:
    """A document with no operations and these component schemas (YAML, as under `schemas:`)."""
    body = textwrap.indent(textwrap.dedent(schemas).strip("\n"), "    ")
    return parse_document(folder, f"{_head(version)}paths: {{}}\ncomponents:\n  schemas:\n{body}\n")


def parse_paths(folder: Path, paths: str, schemas: str = "", version: str = "3.1.0") -> Parsed:
    """A document with these paths (YAML, as under `paths:`) and component schemas."""
    text = f"{_head(version)}paths:\n" + textwrap.indent(textwrap.dedent(paths).strip("\n"), "  ")
    if schemas:
        body = textwrap.indent(textwrap.dedent(schemas).strip("\n"), "    ")
        text += f"\ncomponents:\n  schemas:\n{body}"
    return parse_document(folder, text + "\n")


def _head(version: str) -> str:
    return f"openapi: {version}\ninfo: {{title: T, version: '1'}}\n"
