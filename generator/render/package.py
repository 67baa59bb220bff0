"""The views of the whole package: one `ApiView` per API, and the `PackageView` around them."""

from __future__ import annotations

from pathlib import Path

from .. import ir
from . import imports
from .families import family_names, family_views
from .models import enum_view, forward_references, model_view
from .operations import resource_views
from .profiles import profile_literal
from .pysource import comment, docstring, docstring_body
from .regions import choose_regions
from .views import ApiView, PackageView, ProfileView


def api_view(api: ir.Api) -> ApiView:
    models = [model_view(m) for m in api.models]
    enums = [enum_view(e) for e in api.enums]
    resources = resource_views(api)
    title = f"{api.title} ({api.version})" if api.version else api.title
    return ApiView(
        module=api.name,
        group_class=api.group_class,
        # Title, version and file name stand inside docstrings (and Markdown, which reads the same escapes).
        title=docstring_body(comment(api.title)),
        version=docstring_body(comment(api.version)),
        doc=docstring(title),
        attribute_doc=docstring(title, indent="    "),
        source=docstring_body(comment(Path(api.source).name)),
        models=models,
        enums=enums,
        resources=resources,
        rebuild=forward_references(api),
        model_imports=imports.model_imports(models, enums),
        resource_imports=imports.resource_imports(resources),
        group_import=imports.group_import(api.group_class),
    )


def package_view(project: ir.Project) -> PackageView:
    apis = [api_view(api) for api in project.apis]
    regions = choose_regions(project.apis)
    by_name = {api.name: api for api in project.apis}
    profiles = [
        ProfileView(family.name, family.api, profile_literal(by_name, family))
        for api in project.apis
        for family in api.jobs
    ]
    families = family_views(project)
    example_api, example_resource, example_call = _example(apis)
    return PackageView(
        package=project.package,
        version=project.version,
        env_prefix=project.package.upper(),
        apis=apis,
        regions=regions,
        default_region=regions[0][0] if regions else "",
        profiles=profiles,
        families=families,
        family_names=family_names(families),
        family_imports=imports.family_imports(families),
        example_api=example_api,
        example_resource=example_resource,
        example_call=example_call,
        module_imports=imports.module_imports(apis),
        client_imports=imports.client_imports(apis),
        profile_imports=imports.profile_imports(profiles),
    )


def _example(apis: list[ApiView]) -> tuple[str, str, str]:
    """A call for the package README: the first operation that needs no arguments."""
    for view in apis:
        for resource in view.resources:
            for op in resource.operations:
                if not op.positional and not any(arg.required for arg in op.keyword):
                    return view.module, resource.attr, op.name
    if apis and apis[0].resources and apis[0].resources[0].operations:
        return apis[0].module, apis[0].resources[0].attr, apis[0].resources[0].operations[0].name
    return "", "", ""
