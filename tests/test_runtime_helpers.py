"""The runtime helpers generated modules import are the ones the runtime exports."""

from __future__ import annotations

from pathlib import Path

from generator import naming


def _exported(module: Path) -> list[str]:
    import ast

    for node in ast.parse(module.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return [str(name) for name in ast.literal_eval(node.value)]
    raise AssertionError(f"{module} has no __all__")


def test_the_runtime_helpers_generated_code_may_import_are_what_the_runtime_exports() -> None:
    """Resource modules import the runtime's helpers by the names in `naming`, which also keeps
    parameters from shadowing them: a helper added to the runtime must be added there."""
    runtime = Path(__file__).resolve().parents[1] / "templates" / "runtime"
    models = _exported(runtime / "_models.py")
    assert sorted(set(models) - {"APIModel", "APIRequestModel"}) == sorted(naming.MODELS_HELPERS)
    assert sorted(_exported(runtime / "_pagination.py")) == sorted(naming.PAGINATION_HELPERS)
    assert sorted(_exported(runtime / "_raw_response.py")) == sorted(naming.RESPONSE_HELPERS)
