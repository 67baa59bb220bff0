"""Stage 2, parse: a loaded OpenAPI document -> the IR (`ir.Api`).

The document is checked (an OpenAPI 3.0 or 3.1 version, `paths`), repaired (`repair.py`) and handed to
the validation (`validate.py`: openapi-pydantic's models, in a worker process while this stage and the
later ones run); the walk here reads the same plain data. Until the validation's verdict is in, the
data may be anything: the walk must not assume it is valid OpenAPI, only fail cleanly (the pipeline
then reports the validation's error in preference to its own).

One module per idea:
- `resolver`: `$ref`s, local and to other files; `registry`: which schema became which class;
- `schemas`: the JSON-Schema -> IR type parser, handing each kind to its own module: `objects`
  (models, maps, `allOf`), `enums` (enums, `const`), `unions` (`oneOf`/`anyOf`);
- `operations`: paths, parameters, bodies, responses; `document`: servers, security schemes, webhooks;
- the passes over the parsed API: `discriminators`, `pagination` (both through the `walk` helper).

Problems are values: recoverable ones become warnings (with file, line, pointer) or `skipped` entries,
and only input that cannot be understood raises `InputError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import ir
from ..diagnostics import Collector, InputError
from ..load import Document, deeper_recursion
from ..repair import apply_repairs
from . import document
from .discriminators import settle_discriminators
from .operations import OperationParser
from .pagination import add_pagination
from .resolver import Resolver
from .schemas import SchemaParser

if TYPE_CHECKING:
    from ..validate import Validation

__all__ = ["parse_api"]


def parse_api(
    doc: Document, api_name: str, report: Collector, validation: Validation | None = None
) -> ir.Api:
    """The IR of one document. With `validation`, the document is submitted to it and the caller
    must read its verdict (`Validation.raise_first_error`) before trusting the result; without, it
    is validated here first."""
    from ..validate import Validation, check_openapi

    version = check_openapi(doc)
    apply_repairs(doc, report)
    if validation is not None:
        validation.submit(doc, version)
    else:
        checker = Validation(concurrent=False)
        checker.submit(doc, version)
        checker.raise_first_error()
    # The parser walks schemas depth first, through `$ref`s: a chain of schemas that each refer to
    # the next (A.b -> B, B.c -> C, ...) recurses as deep as the chain is long.
    with deeper_recursion():
        try:
            return _parse(doc, api_name, version, report)
        except RecursionError:
            raise InputError(
                "schemas nest too deeply (inline or through a chain of $refs)",
                doc.location(""),
                "too-deep",
            ) from None


def _parse(doc: Document, api_name: str, version: str, report: Collector) -> ir.Api:
    resolver = Resolver(doc, report)
    schemas = SchemaParser(doc, resolver, report)
    schemas.reserve_components()
    operations = OperationParser(doc, resolver, schemas, report).parse()
    schemas.build_components()
    document.skip_webhooks(doc, report)
    data = doc.data
    info = data.get("info") if isinstance(data.get("info"), dict) else {}
    models, enums = schemas.classes.classes()
    api = ir.Api(
        name=api_name,
        title=str(info.get("title", api_name)),
        version=str(info.get("version", "")),
        description=str(info.get("description", "") or ""),
        source=doc.path,
        openapi_version=version,
        servers=document.servers(data.get("servers")),
        operations=tuple(operations),
        models=models,
        enums=enums,
        auth_schemes=document.auth_schemes(data),
    )
    # Settling rebuilds the IR; without a discriminator anywhere it would change nothing.
    if schemas.discriminated:
        api = settle_discriminators(api)
    return add_pagination(api)
