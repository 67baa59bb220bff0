"""The views of the whole package: one `ApiView` per API, and the `PackageView` around them."""

from __future__ import annotations

from pathlib import Path

from .. import ir
from .imports import model_imports, names_used, resource_imports
from .isort import isort_modules, isort_names
from .models import enum_view, forward_references, model_view
from .names import ApiNames, claim_names
from .operations import resource_views
from .profiles import profile_literal
from .pysource import comment, docstring, docstring_body
from .regions import choose_regions
from .views import ApiView, PackageView, ProfileView


def api_view(api: ir.Api, names: ApiNames) -> ApiView:
    models = [model_view(m) for m in api.models]
    enums = [enum_view(e) for e in api.enums]
    resources = resource_views(api, names.resources)
    return ApiView(
        module=api.name,
        group_class=names.group_class,
        # Title, version and file name stand inside docstrings (and Markdown, which reads the same escapes).
        title=docstring_body(comment(api.title)),
        version=docstring_body(comment(api.version)),
        doc=docstring(f"{api.title} ({api.version})" if api.version else api.title),
        source=docstring_body(comment(Path(api.source).name)),
        models=models,
        enums=enums,
        resources=resources,
        rebuild=forward_references(api),
        model_imports=model_imports(models, enums),
        resource_imports=resource_imports(resources),
        group_import=f"from .resources import {_group_names(names.group_class)}",
    )


def _group_names(group_class: str) -> str:
    """The sync and async group classes of an API, as one `import` lists them."""
    return ", ".join(isort_names([group_class, "Async" + group_class]))


def package_view(project: ir.Project) -> PackageView:
    names = claim_names(project)
    apis = [api_view(api, names[api.name]) for api in project.apis]
    regions = choose_regions(project.apis)
    profiles = [
        ProfileView(api.name, profile_literal(api, api.jobs))
        for api in project.apis
        if api.jobs is not None
    ]
    example_api, example_resource, example_call = _example(apis)
    by_module = {api.module: api for api in apis}
    client_imports = [
        f"from .{module} import {_group_names(api.group_class)}"
        for module in isort_modules(f"{api.module}.resources" for api in apis)
        for api in [by_module[module.removesuffix(".resources")]]
    ]
    jobs_names = [
        "JobProfile",
        *(n for n in ("Endpoint", "JobStatus") if n in names_used(p.literal for p in profiles)),
    ]
    profile_imports = [
        "from ._jobs import " + ", ".join(isort_names(jobs_names)),
        *(
            f"from .{module} import models as {module}_models"
            for module in isort_modules(profile.api for profile in profiles)
        ),
    ]
    return PackageView(
        package=project.package,
        version=project.version,
        env_prefix=project.package.upper(),
        apis=apis,
        regions=regions,
        default_region=regions[0][0] if regions else "",
        profiles=profiles,
        example_api=example_api,
        example_resource=example_resource,
        example_call=example_call,
        module_imports="from . import " + ", ".join(isort_names([*by_module, "testing"])),
        client_imports=client_imports,
        profile_imports=profile_imports,
    )


def _example(apis: list[ApiView]) -> tuple[str, str, str]:
    """A call for the package README: the first operation that needs no arguments."""
    for view in apis:
        for resource in view.resources:
            for op in resource.operations:
                if not op.positional and not any("=" not in k for k in op.keyword):
                    return view.module, resource.attr, op.name
    if apis and apis[0].resources and apis[0].resources[0].operations:
        return apis[0].module, apis[0].resources[0].attr, apis[0].resources[0].operations[0].name
    return "", "", ""
