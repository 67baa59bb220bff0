"""The passes over a parsed API (pagination, naming) and the names decided before rendering."""

from __future__ import annotations

from pathlib import Path

from generator import ir
from generator.parse import ApiNames, ProjectNames

from .support import parse_paths, parse_schemas

LIST = """
{path}:
  get:
    operationId: {op_id}
    tags: [{tag}]
    parameters:
      - {{name: 'page[offset]', in: query, schema: {{type: integer}}}}
      - {{name: 'page[limit]', in: query, schema: {{type: integer}}}}
    responses:
      '200':
        description: A page
        content: {{application/json: {{schema: {{$ref: '#/components/schemas/{page}'}}}}}}
"""
PAGES = """
JobPage:
  type: object
  properties:
    data: {type: array, items: {$ref: '#/components/schemas/Job'}}
Job:
  type: object
  properties:
    id: {type: string}
NotAPage:
  type: object
  properties:
    data: {$ref: '#/components/schemas/Job'}
"""


def _list(path: str, op_id: str, tag: str = "Jobs", page: str = "JobPage") -> str:
    return LIST.format(path=path, op_id=op_id, tag=tag, page=page)


# ---------------------------------------------------------------------------------------- pagination
def test_an_operation_with_page_parameters_and_a_data_list_pages(tmp_path: Path) -> None:
    parsed = parse_paths(tmp_path, _list("/jobs", "listJobs"), PAGES)
    assert parsed.operation("listJobs").pagination == ir.Pagination(
        offset_param="page_offset",
        limit_param="page_limit",
        item_type=ir.ModelRef("Job"),
        items_field="data",
        method_name="iter_list_jobs",
    )


def test_an_operation_without_both_page_parameters_or_a_data_list_does_not_page(
    tmp_path: Path,
) -> None:
    without_limit = _list("/a", "noLimit").replace("- {name: 'page[limit]'", "- {name: 'limit'")
    paths = without_limit + _list("/b", "notAList", page="NotAPage")
    parsed = parse_paths(tmp_path, paths, PAGES)
    assert parsed.operation("noLimit").pagination is None
    assert parsed.operation("notAList").pagination is None


def test_a_pager_does_not_take_the_name_of_another_method_of_its_resource(
    tmp_path: Path,
) -> None:
    parsed = parse_paths(
        tmp_path,
        _list("/jobs", "listJobs")
        + _list("/other", "listJobs", tag="Other")
        + """
/jobs/iter:
  get:
    operationId: iterListJobs
    tags: [Jobs]
    responses: {'204': {description: Done}}
""",
        PAGES,
    )
    jobs, other, _ = parsed.api.operations
    assert jobs.pagination is not None and jobs.pagination.method_name == "iter_list_jobs_2"
    # Another resource's methods are another namespace.
    assert other.pagination is not None and other.pagination.method_name == "iter_list_jobs"


# ------------------------------------------------------------------------------------ naming: fields
def test_names_that_are_keywords_or_shadow_the_model_get_an_underscore(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Rule:
          type: object
          properties:
            and: {type: string}
            json: {type: string}
            model_config: {type: string}
            str: {type: string}
            Str: {type: string}
            dotted.name: {type: string}
        """,
    )
    assert [(f.wire_name, f.py_name) for f in parsed.model("Rule").fields] == [
        ("and", "and_"),
        ("json", "json_"),
        ("model_config", "model_config_"),
        ("str", "str_"),
        ("Str", "str__2"),
        ("dotted.name", "dotted_name"),
    ]


def test_class_names_collide_in_document_order_and_avoid_imported_names(tmp_path: Path) -> None:
    parsed = parse_schemas(
        tmp_path,
        """
        Field: {type: object, properties: {a: {type: string}}}
        job: {type: object, properties: {a: {type: string}}}
        Job: {type: object, properties: {a: {type: string}}}
        Warning: {type: object, properties: {a: {type: string}}}
        """,
    )
    assert parsed.classes == ["Field2", "Job", "Job2", "Warning2"]


# --------------------------------------------------------------------------------- naming: resources
def test_each_resource_gets_an_attribute_and_a_class_unique_with_its_async_twin(
    tmp_path: Path,
) -> None:
    tags = ["Jobs", "Async Jobs", "jobs", "with raw response", "class", ""]
    paths = "".join(
        f"""
/r{index}:
  get:
    operationId: op{index}
    tags: ['{tag}']
    responses: {{'204': {{description: Done}}}}
"""
        for index, tag in enumerate(tags)
    )
    parsed = parse_paths(tmp_path, paths)
    assert parsed.api.resources == (
        ir.Resource("Jobs", "jobs", "JobsResource"),
        # `AsyncJobsResource` is the async twin of `JobsResource`.
        ir.Resource("Async Jobs", "async_jobs", "AsyncJobs2Resource"),
        # `Jobs2Resource`'s twin would be the class of "Async Jobs".
        ir.Resource("jobs", "jobs_2", "Jobs3Resource"),
        ir.Resource("with raw response", "with_raw_response_2", "WithRawResponseResource"),
        ir.Resource("class", "class_", "ClassResource"),
        ir.Resource("", "default", "DefaultResource"),
    )
    assert [op.resource for op in parsed.api.operations] == tags


def test_resources_come_in_the_order_of_their_first_operation(tmp_path: Path) -> None:
    parsed = parse_paths(
        tmp_path,
        """
/v2/jobs:
  get: {operationId: listJobs, responses: {'204': {description: Done}}}
/files:
  get: {operationId: listFiles, tags: [Files], responses: {'204': {description: Done}}}
/v2/jobs/{id}:
  parameters: [{name: id, in: path, required: true, schema: {type: string}}]
  get: {operationId: getJob, responses: {'204': {description: Done}}}
""",
    )
    assert [(r.tag, r.attr) for r in parsed.api.resources] == [("jobs", "jobs"), ("Files", "files")]


# ---------------------------------------------------------------------------------- naming: projects
def test_api_modules_and_group_classes_are_unique_across_the_project() -> None:
    names = ProjectNames()
    claimed = [names.claim(stem) for stem in ("foo_2", "foo2", "foo-2", "jobs", "async_foo2", "")]
    assert claimed == [
        ApiNames("foo_2", "Foo2API"),
        ApiNames("foo2", "Foo22API"),  # modules foo_2 and foo2 both make `Foo2API`
        ApiNames("foo_2_2", "Foo222API"),
        ApiNames("jobs_", "JobsAPI"),  # `jobs` is the client's job facade
        # `AsyncFoo2API` and `AsyncFoo22API` are the twins of the first two.
        ApiNames("async_foo2", "AsyncFoo23API"),
        ApiNames("api", "ApiAPI"),
    ]


def test_an_apis_names_are_in_its_ir(tmp_path: Path) -> None:
    parsed = parse_paths(tmp_path, "{}")
    assert (parsed.api.name, parsed.api.group_class) == ("api", "ApiAPI")
