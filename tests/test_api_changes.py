"""The API changes between two regenerations and which of them break code (generator/changes.py):
each rule with a pair of specs, compared through the surfaces the package's views give."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import ir
from generator.changes import compare, inline_code, next_version, record
from generator.cli import cli
from generator.render import package_view
from generator.surface import SurfaceFile, Symbol, build_surface, read_surface, surface_text

from .conftest import SPECS
from .parse.support import parse_document

BASE = """
openapi: 3.1.0
info: {title: Things, version: '1'}
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - {name: colour, in: query, schema: {type: string}}
        - {name: limit, in: query, required: true, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}
    post:
      operationId: createThing
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/NewThing'}}}
      responses:
        '201': {description: created}
components:
  schemas:
    Thing:
      type: object
      required: [id]
      properties:
        id: {type: string}
        size: {type: integer}
        colour: {$ref: '#/components/schemas/Colour'}
        tag: {$ref: '#/components/schemas/Tag'}
    NewThing:
      type: object
      required: [name]
      properties:
        name: {type: string}
        size: {type: integer}
        tag: {$ref: '#/components/schemas/Tag'}
    Tag:
      type: object
      properties:
        label: {type: integer}
    Colour: {type: string, enum: [red, green, blue]}
"""

PATH_PARAMETERS = """    parameters:
      - {name: a, in: path, required: true, schema: {type: string}}
      - {name: b, in: path, required: true, schema: {type: string}}
"""
METHOD = "client.api.things"
MODELS = "pkg.api.models"

# id: (edits of BASE for the older spec, edits for the newer, the changes: kind, breaking, symbol,
# the start of the message). An edit replaces the first occurrence of a text.
CASES: dict[
    str, tuple[list[tuple[str, str]], list[tuple[str, str]], list[tuple[str, bool, str, str]]]
] = {
    "operation-removed": (
        [],
        [
            (
                "    post:\n      operationId: createThing",
                "    x-post:\n      operationId: createThing",
            )
        ],
        [("removed", True, f"{METHOD}.create_thing", "method removed")],
    ),
    "operation-added": (
        [],
        [
            (
                "    post:",
                "    delete:\n      operationId: clearThings\n      responses:\n        '204': {description: gone}\n    post:",
            )
        ],
        [("added", False, f"{METHOD}.clear_things", "method added")],
    ),
    "optional-parameter-removed": (
        [],
        [("        - {name: colour, in: query, schema: {type: string}}\n", "")],
        [("removed", True, f"{METHOD}.list_things.colour", "parameter removed")],
    ),
    "optional-parameter-added": (
        [],
        [
            (
                "      parameters:\n",
                "      parameters:\n        - {name: sort, in: query, schema: {type: string}}\n",
            )
        ],
        [("added", False, f"{METHOD}.list_things.sort", "parameter added")],
    ),
    "required-parameter-added": (
        [],
        [
            (
                "      parameters:\n",
                "      parameters:\n        - {name: sort, in: query, required: true, schema: {type: string}}\n",
            )
        ],
        [("added", True, f"{METHOD}.list_things.sort", "required parameter added")],
    ),
    "parameter-becomes-required": (
        [],
        [("{name: colour, in: query,", "{name: colour, in: query, required: true,")],
        [("changed", True, f"{METHOD}.list_things.colour", "now required")],
    ),
    "parameter-becomes-optional": (
        [],
        [("{name: limit, in: query, required: true,", "{name: limit, in: query,")],
        [("changed", False, f"{METHOD}.list_things.limit", "now optional")],
    ),
    "parameter-type-widened": (
        [],
        [("required: true, schema: {type: integer}}", "required: true, schema: {type: number}}")],
        [("changed", False, f"{METHOD}.list_things.limit", "type widened from `int` to `float`")],
    ),
    "parameter-type-narrowed": (
        [("required: true, schema: {type: integer}}", "required: true, schema: {type: number}}")],
        [],
        [("changed", True, f"{METHOD}.list_things.limit", "type narrowed from `float` to `int`")],
    ),
    "parameter-type-changed": (
        [],
        [
            (
                "{name: colour, in: query, schema: {type: string}}",
                "{name: colour, in: query, schema: {type: boolean}}",
            )
        ],
        [
            (
                "changed",
                True,
                f"{METHOD}.list_things.colour",
                "type changed from `str | None` to `bool | None`",
            )
        ],
    ),
    "request-field-removed": (
        [],
        [
            (
                "        name: {type: string}\n        size: {type: integer}\n",
                "        name: {type: string}\n",
            )
        ],
        [("removed", True, f"{MODELS}.NewThing.size", "field removed")],
    ),
    "request-optional-field-added": (
        [],
        [
            (
                "        name: {type: string}\n",
                "        name: {type: string}\n        note: {type: string}\n",
            )
        ],
        [("added", False, f"{MODELS}.NewThing.note", "field added")],
    ),
    "request-required-field-added": (
        [],
        [
            (
                "      required: [name]\n      properties:\n        name: {type: string}\n",
                "      required: [name, note]\n      properties:\n        name: {type: string}\n        note: {type: string}\n",
            )
        ],
        [
            (
                "added",
                True,
                f"{MODELS}.NewThing.note",
                "required field added to a model requests send",
            )
        ],
    ),
    "request-field-becomes-required": (
        [],
        [("required: [name]", "required: [name, size]")],
        [("changed", True, f"{MODELS}.NewThing.size", "now required")],
    ),
    "request-field-becomes-optional": (
        [],
        [("required: [name]", "required: []")],
        [("changed", False, f"{MODELS}.NewThing.name", "now optional")],
    ),
    "request-field-type-widened": (
        [],
        [
            (
                "        name: {type: string}\n        size: {type: integer}",
                "        name: {type: string}\n        size: {type: number}",
            )
        ],
        [
            (
                "changed",
                False,
                f"{MODELS}.NewThing.size",
                "type widened from `int | None` to `float | None`",
            )
        ],
    ),
    "request-field-type-narrowed": (
        [
            (
                "        name: {type: string}\n        size: {type: integer}",
                "        name: {type: string}\n        size: {type: number}",
            )
        ],
        [],
        [("changed", True, f"{MODELS}.NewThing.size", "type narrowed")],
    ),
    "response-field-removed": (
        [],
        [
            (
                "        id: {type: string}\n        size: {type: integer}\n",
                "        id: {type: string}\n",
            )
        ],
        [("removed", True, f"{MODELS}.Thing.size", "field removed")],
    ),
    "response-field-becomes-optional": (
        [],
        [("required: [id]", "required: []")],
        [("changed", True, f"{MODELS}.Thing.id", "now optional")],
    ),
    "response-field-becomes-required": (
        [],
        [("required: [id]", "required: [id, size]")],
        [("changed", False, f"{MODELS}.Thing.size", "now required")],
    ),
    "response-field-type-widened": (
        [],
        [
            (
                "        id: {type: string}\n        size: {type: integer}",
                "        id: {type: string}\n        size: {type: number}",
            )
        ],
        [
            (
                "changed",
                True,
                f"{MODELS}.Thing.size",
                "type widened from `int | None` to `float | None`",
            )
        ],
    ),
    "response-field-type-narrowed": (
        [
            (
                "        id: {type: string}\n        size: {type: integer}",
                "        id: {type: string}\n        size: {type: number}",
            )
        ],
        [],
        [("changed", False, f"{MODELS}.Thing.size", "type narrowed")],
    ),
    "response-required-field-added": (
        [],
        [
            (
                "required: [id]\n      properties:\n        id: {type: string}\n",
                "required: [id, code]\n      properties:\n        id: {type: string}\n        code: {type: string}\n",
            )
        ],
        [("added", False, f"{MODELS}.Thing.code", "field added")],
    ),
    "field-of-a-model-sent-and-read-widened": (
        [],
        [("label: {type: integer}", "label: {type: number}")],
        [("changed", True, f"{MODELS}.Tag.label", "type widened")],
    ),
    "enum-member-removed": (
        [],
        [("enum: [red, green, blue]", "enum: [red, green]")],
        [("removed", True, f"{MODELS}.Colour.BLUE", "enum member removed")],
    ),
    "enum-member-added": (
        [],
        [("enum: [red, green, blue]", "enum: [red, green, blue, black]")],
        [("added", False, f"{MODELS}.Colour.BLACK", "enum member added")],
    ),
    "model-removed-with-its-fields": (
        [
            (
                "    Tag:\n",
                "    Spare:\n      type: object\n      properties:\n        a: {type: string}\n        b: {type: string}\n    Tag:\n",
            )
        ],
        [],
        [("removed", True, f"{MODELS}.Spare", "model removed")],
    ),
    "return-type-changed": (
        [],
        [
            (
                "'200':\n          description: ok\n          content: {application/json: {schema: {$ref: '#/components/schemas/Thing'}}}",
                "'200':\n          description: ok\n          content: {application/json: {schema: {$ref: '#/components/schemas/Tag'}}}",
            )
        ],
        [
            (
                "changed",
                True,
                f"{METHOD}.list_things",
                "return type changed from `models.Thing` to `models.Tag`",
            )
        ],
    ),
    "operation-deprecated": (
        [],
        [
            (
                "      operationId: listThings\n",
                "      operationId: listThings\n      deprecated: true\n",
            )
        ],
        [("changed", False, f"{METHOD}.list_things", "deprecated")],
    ),
    "field-wire-name-changed": (
        [],
        [
            (
                "        size: {type: integer}\n        colour",
                "        Size: {type: integer}\n        colour",
            )
        ],
        [("changed", False, f"{MODELS}.Thing.size", "sent and read as `Size` (was `size`)")],
    ),
    "enum-member-value-changed": (
        [],
        [("enum: [red, green, blue]", "enum: [RED, green, blue]")],
        [("changed", False, f"{MODELS}.Colour.RED", 'value changed from `"red"` to `"RED"`')],
    ),
    "parameters-swap-positions": (
        [("  /things:\n", "  /things/{a}/{b}:\n" + PATH_PARAMETERS)],
        [("  /things:\n", "  /things/{b}/{a}:\n" + PATH_PARAMETERS)],
        [
            ("changed", True, f"{METHOD}.create_thing.a", "moved from position 0 to 1"),
            ("changed", True, f"{METHOD}.create_thing.b", "moved from position 1 to 0"),
            ("changed", True, f"{METHOD}.list_things.a", "moved from position 0 to 1"),
            ("changed", True, f"{METHOD}.list_things.b", "moved from position 1 to 0"),
        ],
    ),
    "descriptions-only": (
        [],
        [
            (
                "info: {title: Things, version: '1'}",
                "info: {title: Things, version: '2', description: Other words.}",
            )
        ],
        [],
    ),
}


def _surface(folder: Path, edits: list[tuple[str, str]]) -> dict[str, Symbol]:
    text = BASE
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    folder.mkdir()
    parsed = parse_document(folder, text)
    project = ir.Project("pkg", "0.1.0", (parsed.api,))
    return build_surface(project, package_view(project), folder)


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_rule_with_a_pair_of_specs(tmp_path: Path, case: str) -> None:
    before, after, expected = CASES[case]
    changes = compare(_surface(tmp_path / "before", before), _surface(tmp_path / "after", after))
    found = [(c.kind, c.breaking, c.symbol, c.message) for c in changes]
    assert len(found) == len(expected), found
    for (kind, breaking, symbol, message), wanted in zip(found, expected, strict=True):
        assert (kind, breaking, symbol) == wanted[:3], found
        assert message.startswith(wanted[3]), message


def test_a_change_says_where_it_is(tmp_path: Path) -> None:
    before = _surface(tmp_path / "before", [])
    # As the next run reads it back from the output folder.
    written = read_surface(surface_text(SurfaceFile("pkg", "0.1.0", "", before)))
    assert isinstance(written, SurfaceFile)
    after = _surface(tmp_path / "after", [("enum: [red, green, blue]", "enum: [green, blue]")])
    added = _surface(
        tmp_path / "added", [("enum: [red, green, blue]", "enum: [red, green, blue, x]")]
    )
    [removed] = compare(written.symbols, after)
    # What is gone is in the older spec, whose lines are not kept: its file and pointer.
    assert removed.location == "api.yaml #/components/schemas/Colour"
    [new] = compare(written.symbols, added)
    line = (
        BASE.lstrip().splitlines().index("    Colour: {type: string, enum: [red, green, blue]}") + 1
    )
    assert new.location == f"api.yaml:{line} #/components/schemas/Colour"


# ------------------------------------------------------------------------------------ job families
def _job_project(folder: Path, *edits: tuple[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("exporter", "pcm", "promotions", "jobs"):
        shutil.copy(SPECS / f"{name}.yaml", folder / f"{name}.yaml")
    profiles = folder / "jobs.yaml"
    text = profiles.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    profiles.write_text(text, encoding="utf-8")
    return folder


def _report_changes(folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    monkeypatch.chdir(folder)
    args = ["generate", "exporter.yaml", "pcm.yaml", "promotions.yaml", "--profile", "jobs.yaml"]
    result = CliRunner().invoke(cli, [*args, "-o", "out", "-p", "ep", "--report", "report.json"])
    assert result.exit_code == 0, result.stderr
    changes: list[dict[str, object]] = json.loads((folder / "report.json").read_text())["changes"]
    return changes


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        (
            [
                (
                    "      pending: [pending]\n      running: [started]\n",
                    "      pending: [pending, started]\n",
                )
            ],
            {
                "kind": "changed",
                "breaking": True,
                "symbol": 'client.jobs.exporter.statuses["started"]',
                "message": "now means `pending` (was `running`)",
            },
        ),
        (
            [("      file: GET /v2/jobs/{jobID}/file\n", ""), ("    file_link: data.href\n", "")],
            {
                "kind": "changed",
                "breaking": True,
                "symbol": "client.jobs.exporter",
                "message": "no longer has the operation `file`",
            },
        ),
    ],
    ids=["status-word-means-another-status", "operation-removed"],
)
def test_job_family_rules(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    edits: list[tuple[str, str]],
    expected: dict[str, object],
) -> None:
    folder = _job_project(tmp_path)
    assert _report_changes(folder, monkeypatch) == []  # a first generation
    _job_project(tmp_path, *edits)
    [change] = _report_changes(folder, monkeypatch)
    assert {k: change[k] for k in expected} == expected
    assert str(change["location"]).startswith("jobs.yaml:")


def test_a_job_status_word_removed_is_breaking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Any status word the spec names must be mapped: the spec's own enum loses it too.
    folder = _job_project(tmp_path)
    _report_changes(folder, monkeypatch)
    _job_project(
        tmp_path,
        (
            "      cancelling: [cancelling]\n      cancelled: [cancelled]\n",
            "      cancelling: [cancelling]\n",
        ),
    )
    changes = _report_changes(folder, monkeypatch)
    removed = [c for c in changes if c["symbol"] == 'client.jobs.promotions.statuses["cancelled"]']
    assert removed and removed[0]["kind"] == "removed" and removed[0]["breaking"] is True


# -------------------------------------------------------------------------------- types and versions
@pytest.mark.parametrize(
    ("before", "after", "message"),
    [
        ("int", "float", "widened"),
        ("float", "int", "narrowed"),
        ('Literal["a"]', "str", "widened"),
        ('Literal["a", "b"]', 'Literal["a"]', "narrowed"),
        ("Literal[True]", "int", "changed"),  # a bool literal is not an int's
        ("list[int]", "list[int | str]", "widened"),
        ("dict[str, str]", "dict[str, int]", "changed"),
        ("str", "Any", "changed"),  # Any fits everything both ways
        ("models.A", "models.B", "changed"),
        ('Annotated[models.A | models.B, Field(discriminator="t")]', "models.A", "narrowed"),
    ],
)
def test_type_relations(before: str, after: str, message: str) -> None:
    old = {
        "x": Symbol(
            "parameter",
            {"annotation": before, "required": True, "position": None, "default": None},
            "f",
            "",
        )
    }
    new = {
        "x": Symbol(
            "parameter",
            {"annotation": after, "required": True, "position": None, "default": None},
            "f",
            "",
        )
    }
    [change] = compare(old, new)
    assert change.message.startswith(f"type {message} from {inline_code(before)}")


@pytest.mark.parametrize(
    ("version", "breaking", "other", "files", "expected"),
    [
        ("0.3.1", True, False, False, "0.4.0"),
        ("0.3.1", False, True, False, "0.3.2"),
        ("0.3.1", False, False, True, "0.3.2"),
        ("0.3.1", False, False, False, "0.3.1"),
        ("1.3.1", True, False, False, "2.0.0"),
        ("1.3.1", False, True, False, "1.4.0"),
        ("1.3.1", False, False, True, "1.3.2"),
        ("2.0.0rc1", False, True, False, "2.1.0"),
    ],
)
def test_versions_move_by_semver(
    version: str, breaking: bool, other: bool, files: bool, expected: str
) -> None:
    from generator.changes import Change

    changes = [Change("removed", True, "a", "", "")] if breaking else []
    changes += [Change("added", False, "b", "", "")] if other else []
    assert next_version(version, changes, files) == expected


def test_a_pinned_version_gathers_its_changes_in_one_release() -> None:
    from generator.changes import Change, Release

    first = record((), "1.0.0", [])
    assert first == (Release("1.0.0", (), True),)
    one, two = Change("added", False, "a", "", ""), Change("added", False, "b", "", "")
    assert record(record(first, "1.0.0", [one]), "1.0.0", [two]) == (
        Release("1.0.0", (one, two), True),
    )
    assert record(first, "1.1.0", [one])[0] == Release("1.1.0", (one,))


def test_inline_code_holds_any_text() -> None:
    assert inline_code("int | None") == "`int | None`"
    assert inline_code("a`b") == "``a`b``"
    assert inline_code("`x`") == "`` `x` ``"
    assert inline_code("two\nlines") == "`two lines`"


def _shapes_changes(folder: Path, *edits: tuple[str, str]) -> list[tuple[str, bool, str, str]]:
    """The changes from the job shapes' profile to the same edited, in one package."""
    from generator.config import Config
    from generator.output import SURFACE, Previous
    from generator.pipeline import run

    from .conftest import write_spec
    from .test_job_shapes import CATALOG, MEDIA, PRICES, PROFILE

    specs = tuple(
        write_spec(folder, text, name)
        for text, name in (
            (MEDIA, "media.yaml"),
            (CATALOG, "catalog.yaml"),
            (PRICES, "prices.yaml"),
        )
    )
    edited = PROFILE
    for old, new in edits:
        assert old in edited, old
        edited = edited.replace(old, new, 1)
    surfaces: list[str] = []
    for text in (PROFILE, edited):
        profile = write_spec(folder, text, "jobs.yaml")
        config = Config(specs, folder / "out", "shapes", (profile,), source=str(folder / "x.toml"))
        previous = Previous(surfaces[-1] if surfaces else None)
        result = run(config, concurrent_validation=False, previous=previous)
        surfaces.append(result.files[SURFACE])
    return [(c.kind, c.breaking, c.symbol, c.message) for c in result.changes]


def test_a_job_familys_creators_and_state_rules_are_part_of_the_api(tmp_path: Path) -> None:
    changes = _shapes_changes(
        tmp_path,
        ("      create: POST /media/uploads\n", ""),  # the uploads family's only creator
        ("      - {status: succeeded, if: {present: completed_at}}\n", ""),
        (
            "      - {status: pending}",
            "      - {status: succeeded, if: {present: completed_at}}\n      - {status: pending}",
        ),
    )
    assert changes == [
        ("changed", True, "client.jobs.uploads", "no longer has the operation `create`"),
        ("removed", True, "client.jobs.uploads.create", "method removed"),
        (
            "changed",
            True,
            'client.jobs.uploads.states["running"]',
            "now reached when `present started_at (rule 2)` (was `present started_at (rule 3)`)",
        ),
        (
            "changed",
            True,
            'client.jobs.uploads.states["succeeded"]',
            "now reached when `present completed_at (rule 3)` (was `present completed_at (rule 2)`)",
        ),
    ]


GOOD_FILE = surface_text(
    SurfaceFile(
        "pkg",
        "0.2.0",
        "ab",
        {"client.api": Symbol("api", {"class": "ApiAPI"}, "api.yaml", "")},
    )
)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (
            ('"version": "0.2.0"', '<<<<<<< HEAD\n"version": "0.2.0"\n=======\n"version": "0.3.0"'),
            "not JSON",
        ),
        (('"version": "0.2.0"', '"version": "zero point two"'), "is not a PEP 440 version"),
        (('"version": "0.2.0"', '"version": 2'), "not of the expected shape"),
        (('"kind": "api"', '"kind": 1'), "not of the expected shape"),
        (('"at": ["api.yaml", ""]', '"at": "api.yaml"'), "not of the expected shape"),
        (('"class": "ApiAPI"', '"class": {"a": 1}'), "the fact 'class' of a symbol of kind 'api'"),
        (('"format": "jobgen-api-surface 1"', '"format": "other 9"'), "not of the format"),
        (('"releases": [', '"releases": [{"version": "1"}'), "not of the expected shape"),
    ],
    ids=["merge-conflict", "version", "version-type", "kind", "at", "fact", "format", "release"],
)
def test_a_damaged_surface_file_says_why(damage: tuple[str, str], reason: str) -> None:
    from generator.surface import Damaged

    assert isinstance(read_surface(GOOD_FILE), SurfaceFile)
    old, new = damage
    assert old in GOOD_FILE
    found = read_surface(GOOD_FILE.replace(old, new, 1))
    assert isinstance(found, Damaged) and reason in found.reason, found
