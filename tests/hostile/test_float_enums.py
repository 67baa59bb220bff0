"""Enums and consts with float values: `typing.Literal` cannot hold a float, so they are typed otherwise.

- numbers only, at least one a float: a `class X(float, Enum)`, members named as for int enums; JSON
  `1`, `1.0` and `"1"` all validate to the member 1.0, anything else is refused;
- `.inf` and `-.inf` (YAML can write them; JSON cannot) are members too, written `float("inf")`;
- NaN equals no number, itself included: it is left out of an enum, with a warning;
- floats mixed with strings or booleans, or a single float (`const: 0.5`): `float` beside a `Literal`
  of the other values, with a warning that the float values are not checked.

The generated package must pass `ruff check`, `ruff format --check` and `mypy --strict`, import, and
validate payloads.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pydantic
import pytest

from . import support

SPEC = """
openapi: 3.1.0
info: {title: Floats, version: '1'}
paths:
  /things:
    get:
      operationId: getThing
      responses:
        '200':
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
components:
  schemas:
    Rate: {enum: [0.5, 1.5, 2.25]}
    Step: {type: number, enum: [1, 2.5, -3, 1.0]}
    Bound: {enum: [.inf, -.inf, 0.0, .nan]}
    OnlyNan: {enum: [.nan]}
    Thing:
      type: object
      required: [rate, step]
      properties:
        rate: {$ref: '#/components/schemas/Rate'}
        step: {$ref: '#/components/schemas/Step'}
        bound: {$ref: '#/components/schemas/Bound'}
        maybe: {enum: [0.5, 1.5, null]}
        mixed: {enum: [1.5, a, true, 2]}
        half: {const: 0.5}
        single: {enum: [0.25]}
        nan: {$ref: '#/components/schemas/OnlyNan'}
"""


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, support.Result]:
    folder = tmp_path_factory.mktemp("floats")
    path = support.write_spec(folder / "in", SPEC, "floats")
    result = support.generate([path], "float_pkg")
    support.write_files(result.files, folder / "out")
    return folder / "out", result


def test_float_enums_become_float_enum_classes(package: tuple[Path, support.Result]) -> None:
    _, result = package
    assert result.project is not None
    enums = {e.name: e for e in result.project.apis[0].enums}
    assert {
        n: (e.value_kind, [(m.py_name, m.value) for m in e.members]) for n, e in enums.items()
    } == {
        "Rate": (
            "float",
            [("VALUE_0_POINT_5", 0.5), ("VALUE_1_POINT_5", 1.5), ("VALUE_2_POINT_25", 2.25)],
        ),
        "Step": ("float", [("VALUE_1", 1.0), ("VALUE_2_POINT_5", 2.5), ("MINUS_3", -3.0)]),
        "Bound": ("float", [("INF", math.inf), ("MINUS_INF", -math.inf), ("VALUE_0_POINT_0", 0.0)]),
        "ThingMaybe": ("float", [("VALUE_0_POINT_5", 0.5), ("VALUE_1_POINT_5", 1.5)]),
    }
    models = result.files["float_pkg/floats/models.py"]
    assert "class Rate(float, Enum):" in models
    assert 'INF = float("inf")' in models and 'MINUS_INF = float("-inf")' in models
    assert "Literal[0.5" not in models and "Literal[1.5" not in models


def test_float_values_a_literal_cannot_hold_are_typed_float_with_warnings(
    package: tuple[Path, support.Result],
) -> None:
    _, result = package
    models = result.files["float_pkg/floats/models.py"]
    assert "maybe: ThingMaybe | None = None" in models
    assert 'mixed: float | Literal["a", True, 2] | None = None' in models
    assert "half: float | None = None" in models
    assert "single: float | None = None" in models
    assert "nan: float | None = None" in models
    warnings = [(w.code, w.location.pointer, w.message) for w in result.warnings]
    assert warnings == [
        ("enum-duplicate", "/components/schemas/Step/enum", "enum value 1.0 is listed twice"),
        (
            "enum-nan",
            "/components/schemas/Bound/enum",
            "enum value nan equals no number, itself included: it is left out",
        ),
        (
            "enum-float",
            "/components/schemas/Thing/properties/mixed/enum",
            "enum value 1.5 is a float, which a Literal cannot hold: "
            "the client types it as float and does not check it",
        ),
        (
            "enum-float",
            "/components/schemas/Thing/properties/half/const",
            "const value 0.5 is a float, which a Literal cannot hold: "
            "the client types it as float and does not check it",
        ),
        (
            "enum-float",
            "/components/schemas/Thing/properties/single/enum",
            "enum value 0.25 is a float, which a Literal cannot hold: "
            "the client types it as float and does not check it",
        ),
        (
            "enum-nan",
            "/components/schemas/OnlyNan/enum",
            "enum value nan equals no number, itself included: "
            "the client types it as float and does not check it",
        ),
    ]


def test_generated_package_passes_ruff_and_mypy_strict(
    package: tuple[Path, support.Result],
) -> None:
    out, result = package
    templated = support.templated_files(result.files, "float_pkg")
    assert support.ruff_problems([out], [out / p for p in templated]) == ""
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "float_pkg"],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout[-5000:]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"rate": 0.5, "step": 1}, {"rate": 0.5, "step": 1.0}),
        ({"rate": 1.5, "step": 1.0}, {"rate": 1.5, "step": 1.0}),
        ({"rate": 2.25, "step": -3, "bound": 0}, {"rate": 2.25, "step": -3.0, "bound": 0.0}),
        ({"rate": 0.5, "step": 2.5, "maybe": None}, {"rate": 0.5, "step": 2.5, "maybe": None}),
        ({"rate": 0.5, "step": 2.5, "mixed": "a"}, {"rate": 0.5, "step": 2.5, "mixed": "a"}),
        ({"rate": 0.5, "step": 2.5, "mixed": True}, {"rate": 0.5, "step": 2.5, "mixed": True}),
        ({"rate": 0.5, "step": 2.5, "mixed": 2}, {"rate": 0.5, "step": 2.5, "mixed": 2}),
        ({"rate": 0.5, "step": 2.5, "mixed": 1.5}, {"rate": 0.5, "step": 2.5, "mixed": 1.5}),
        ({"rate": 0.5, "step": 2.5, "half": 0.5}, {"rate": 0.5, "step": 2.5, "half": 0.5}),
    ],
)
def test_payloads_validate_and_round_trip(
    package: tuple[Path, support.Result], payload: dict[str, Any], expected: dict[str, Any]
) -> None:
    out, result = package
    with support.imported(out, "float_pkg", result.files, ["floats.models"]) as imported:
        thing = imported.modules["floats.models"].Thing
        import json

        for instance in (
            thing.model_validate(payload),
            thing.model_validate_json(json.dumps(payload)),
        ):
            assert instance.to_dict() == expected
            assert type(instance.to_dict()["rate"]) is float
            assert thing.model_validate(instance.to_dict()).to_dict() == expected


def test_members_and_refusals(package: tuple[Path, support.Result]) -> None:
    out, result = package
    with support.imported(out, "float_pkg", result.files, ["floats.models"]) as imported:
        models = imported.modules["floats.models"]
        rate, step, bound, thing = models.Rate, models.Step, models.Bound, models.Thing
        assert issubclass(rate, float) and rate.VALUE_1_POINT_5 == 1.5
        assert thing.model_validate_json('{"rate": 1.5, "step": 1}').step is step.VALUE_1
        assert thing.model_validate_json('{"rate": 1.5, "step": 1.0}').step is step.VALUE_1
        assert thing.model_validate({"rate": 1.5, "step": 1, "bound": math.inf}).bound is bound.INF
        assert bound(-math.inf) is bound.MINUS_INF
        for bad in (
            '{"rate": 1, "step": 1}',
            '{"rate": 0.5, "step": 1.5}',
            '{"rate": "x", "step": 1}',
        ):
            with pytest.raises(pydantic.ValidationError):
                thing.model_validate_json(bad)
        with pytest.raises(pydantic.ValidationError):
            thing.model_validate({"rate": 0.5, "step": 1, "bound": math.nan})
