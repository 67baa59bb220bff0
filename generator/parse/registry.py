"""Which schema became which class: the class names of one API, and the models and enums made so far."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .. import ir, naming

SchemaKey = tuple[str, str]  # (document path, JSON pointer) of a schema
ClassKind = Literal["model", "enum", "pending"]


@dataclass
class Named:
    """A schema that became (or, `pending`, is reserved to become) a named class."""

    name: str
    kind: ClassKind


class ClassRegistry:
    """The classes of one API, each claimed once per schema, named in the order they are claimed.

    Class names share one namespace (the generated `models.py`), which also holds the names that
    module imports; a collision gets `2`, `3`, ... (`naming.Scope`)."""

    def __init__(self) -> None:
        self._names = naming.Scope(naming.MODULE_LEVEL_NAMES, sep="")
        self.named: dict[SchemaKey, Named] = {}
        self.models: dict[str, ir.Model] = {}
        self.enums: dict[str, ir.Enum] = {}
        # Class names in the order they were created (a dict: an ordered set, O(1) membership).
        self._order: dict[str, None] = {}

    def reserve(self, key: SchemaKey, hint: str) -> None:
        """Reserve a class name for the schema at `key`, to be built later (a component schema)."""
        self.named[key] = Named(self._names.claim(hint), "pending")

    def claim(self, key: SchemaKey, hint: str, kind: ClassKind) -> str:
        """The class name of the schema at `key` (reserved, or claimed now from `hint`)."""
        existing = self.named.get(key)
        name = existing.name if existing is not None else self._names.claim(hint)
        self.named[key] = Named(name, kind)
        if name not in self._order:
            self._order[name] = None
        return name

    def add_model(self, model: ir.Model) -> None:
        self.models[model.name] = model

    def add_enum(self, enum: ir.Enum) -> None:
        self.enums[enum.name] = enum

    def built(self) -> tuple[tuple[ir.Model, ...], tuple[ir.Enum, ...]]:
        """The models and the enums, each in the order their names were claimed."""
        models = tuple(self.models[n] for n in self._order if n in self.models)
        enums = tuple(self.enums[n] for n in self._order if n not in self.models)
        return models, enums
