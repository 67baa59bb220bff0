"""Stage 2, parse: a loaded, repaired OpenAPI document -> the IR (`ir.Api`).

The pipeline has checked that the document is OpenAPI 3.0 or 3.1 (`validate.check_openapi`), repaired
it (`repair.py`) and handed it to the validation (`validate.py`: openapi-pydantic's models, in a worker
process while this stage and the later ones run); the parser reads the same plain data. Until the
validation's verdict is in, the data may be anything: the parser must not assume it is valid OpenAPI,
only fail cleanly (the pipeline then reports the validation's error in preference to its own).

One module per idea:
- `resolver`: `$ref`s, local and to other files; `registry`: which schema became which class;
- `schemas`: the JSON-Schema -> IR type parser, handing each kind to its own module: `objects`
  (models, maps, `allOf`), `enums` (enums, `const`), `unions` (`oneOf`/`anyOf`);
- `operations`: paths, parameters, bodies, responses; `document`: servers, security schemes, webhooks;
- the passes over the parsed API: `discriminators` (through the `walk` helper), `pagination`, and
  the naming pass, `names`: every name the client gives an API, its resources and pagers is decided
  here, before rendering (the project-wide ones by `ProjectNames`, which the pipeline runs).

Problems are values: recoverable ones become warnings (with file, line, pointer) or `skipped` entries;
what cannot be read (a `$ref` that cannot be resolved or comes back on itself, a schema that is not
one) leaves out the smallest item that holds it, a property, a parameter, a response, an operation
or a component schema (`common.skip`), and only what no item holds raises `InputError`.
"""

from __future__ import annotations

from .. import ir
from ..diagnostics import Collector, InputError
from ..load import Document, deeper_recursion
from . import document
from .discriminators import settle_discriminators
from .names import ApiNames, ProjectNames, name_resources
from .operations import OperationParser
from .pagination import add_pagination
from .resolver import Resolver
from .schemas import SchemaParser

__all__ = ["ApiNames", "ProjectNames", "parse_api"]


def parse_api(doc: Document, names: ApiNames, report: Collector) -> ir.Api:
    """The IR of one document, which `validate.check_openapi` has accepted and the repairs have
    run on (the pipeline's steps before this one); `names` are the API's names in the project."""
    # The parser walks schemas depth first, through `$ref`s: a chain of schemas that each refer to
    # the next (A.b -> B, B.c -> C, ...) recurses as deep as the chain is long.
    with deeper_recursion():
        try:
            return _parse(doc, names, str(doc.data["openapi"]), report)
        except RecursionError:
            raise InputError(
                "schemas nest too deeply (inline or through a chain of $refs)",
                doc.location(""),
                "too-deep",
            ) from None


def _parse(doc: Document, names: ApiNames, version: str, report: Collector) -> ir.Api:
    resolver = Resolver(doc, report)
    schemas = SchemaParser(doc, resolver, report)
    schemas.reserve_components()
    operations = OperationParser(doc, resolver, schemas, report).parse()
    schemas.build_components()
    document.skip_webhooks(doc, report)
    data = doc.data
    info = data.get("info") if isinstance(data.get("info"), dict) else {}
    models, enums = schemas.registry.built()
    api = ir.Api(
        name=names.module,
        group_class=names.group_class,
        title=str(info.get("title", names.module)),
        version=str(info.get("version", "")),
        description=str(info.get("description", "") or ""),
        source=doc.path,
        openapi_version=version,
        servers=document.servers(data.get("servers")),
        operations=tuple(operations),
        resources=name_resources(operations),
        models=models,
        enums=enums,
        auth_schemes=document.auth_schemes(data),
    )
    # Settling rebuilds the IR; without a discriminator anywhere it would change nothing.
    if schemas.discriminated:
        api = settle_discriminators(api)
    return add_pagination(api)
