"""The operation parser, one construct at a time: parameters, bodies, responses, servers."""

from __future__ import annotations

from pathlib import Path

from generator import ir

from .support import parse_document, parse_paths

STR = ir.PrimitiveType("str")
INT = ir.PrimitiveType("int")
NO_CONTENT = "responses: {'204': {description: Done}}"


# ---------------------------------------------------------------------------------------- parameters
def test_parameters_in_path_query_header_and_cookie(tmp_path: Path) -> None:
    parsed = parse_paths(
        tmp_path,
        f"""
        /jobs/{{jobId}}/files/{{fileId}}:
          get:
            operationId: getFile
            parameters:
              - {{name: X-Trace, in: header, schema: {{type: string}}}}
              - {{name: fileId, in: path, required: true, schema: {{type: integer}}}}
              - {{name: 'page[limit]', in: query, required: true, schema: {{type: integer}}}}
              - {{name: session, in: cookie, description: The session., schema: {{type: string}}}}
              - {{name: jobId, in: path, required: true, schema: {{type: string}}}}
              - {{name: filter, in: query, schema: {{type: string}}}}
            {NO_CONTENT}
        """,
    )
    params = parsed.operation("getFile").params
    # Path parameters first, in the order of the path; then the rest as declared.
    assert [(p.wire_name, p.py_name, p.where, p.type, p.required) for p in params] == [
        ("jobId", "job_id", "path", STR, True),
        ("fileId", "file_id", "path", INT, True),
        ("X-Trace", "x_trace", "header", STR, False),
        ("page[limit]", "page_limit", "query", INT, True),
        ("session", "session", "cookie", STR, False),
        ("filter", "filter", "query", STR, False),
    ]
    assert [p.is_filter for p in params] == [False] * 5 + [True]
    assert params[4].description == "The session."


def test_path_level_parameters_are_shared_and_an_operation_overrides_them(tmp_path: Path) -> None:
    parsed = parse_paths(
        tmp_path,
        f"""
        /jobs/{{jobId}}:
          parameters:
            - {{name: jobId, in: path, required: true, schema: {{type: string}}}}
            - {{name: verbose, in: query, schema: {{type: boolean}}}}
          get:
            operationId: getJob
            {NO_CONTENT}
          delete:
            operationId: deleteJob
            parameters:
              - {{name: verbose, in: query, required: true, schema: {{type: integer}}}}
            {NO_CONTENT}
        """,
    )
    get, delete = parsed.operation("getJob"), parsed.operation("deleteJob")
    assert [(p.wire_name, p.type) for p in get.params] == [
        ("jobId", STR),
        ("verbose", ir.PrimitiveType("bool")),
    ]
    assert [(p.wire_name, p.type, p.required) for p in delete.params] == [
        ("jobId", STR, True),
        ("verbose", INT, True),
    ]


def test_an_authorization_header_parameter_is_left_to_the_client_with_a_warning(
    tmp_path: Path,
) -> None:
    parsed = parse_paths(
        tmp_path,
        f"""
        /jobs:
          get:
            operationId: listJobs
            parameters:
              - {{name: Authorization, in: header, required: true, schema: {{type: string}}}}
              - {{name: Accept, in: header, schema: {{type: string}}}}
            {NO_CONTENT}
        """,
    )
    assert parsed.operation("listJobs").params == ()
    assert parsed.warnings == ["client-header", "client-header"]
    assert parsed.report.warnings[0].location.pointer == "/paths/~1jobs/get/parameters/0"


def test_a_placeholder_without_a_parameter_is_a_required_string_with_a_warning(
    tmp_path: Path,
) -> None:
    parsed = parse_paths(
        tmp_path,
        f"""
        /jobs/{{jobId}}:
          get:
            operationId: getJob
            {NO_CONTENT}
        """,
    )
    assert parsed.operation("getJob").params == (ir.Param("jobId", "job_id", "path", STR, True),)
    assert parsed.warning("path-param-undeclared") == (
        "#/paths/~1jobs~1{jobId}/get: path placeholder {jobId} has no parameter; "
        "treated as a required string"
    )


def test_a_path_parameter_not_marked_required_is_required_with_a_warning(tmp_path: Path) -> None:
    parsed = parse_paths(
        tmp_path,
        f"""
        /jobs/{{jobId}}:
          get:
            operationId: getJob
            parameters: [{{name: jobId, in: path, schema: {{type: string}}}}]
            {NO_CONTENT}
        """,
    )
    assert parsed.operation("getJob").params == (ir.Param("jobId", "job_id", "path", STR, True),)
    assert parsed.warning("path-param-not-required") == (
        "#/paths/~1jobs~1{jobId}/get/parameters/0: path parameter 'jobId' is not marked "
        "`required: true` (a path parameter always is); treated as required"
    )


def test_a_path_parameter_missing_from_the_path_is_ignored_with_a_warning(tmp_path: Path) -> None:
    parsed = parse_paths(
        tmp_path,
        f"""
        /jobs:
          get:
            operationId: listJobs
            parameters:
              - {{name: jobId, in: path, required: true, schema: {{type: string}}}}
            {NO_CONTENT}
        """,
    )
    assert parsed.operation("listJobs").params == ()
    assert parsed.warnings == ["path-param-unused"]


def test_parameter_names_do_not_shadow_what_a_method_uses(tmp_path: Path) -> None:
    parsed = parse_paths(
        tmp_path,
        f"""
        /jobs:
          get:
            operationId: listJobs
            parameters:
              - {{name: body, in: query, schema: {{type: string}}}}
              - {{name: class, in: query, schema: {{type: string}}}}
              - {{name: options, in: header, schema: {{type: string}}}}
              - {{name: Options, in: query, schema: {{type: string}}}}
            {NO_CONTENT}
        """,
    )
    names = [p.py_name for p in parsed.operation("listJobs").params]
    assert names == ["body_", "class_", "options_", "options__2"]


def test_a_parameters_serialisation_is_kept_as_declared(tmp_path: Path) -> None:
    parsed = parse_paths(
        tmp_path,
        f"""
        /items/{{ids}}:
          get:
            operationId: listItems
            parameters:
              - {{name: ids, in: path, required: true, style: label, explode: true,
                  schema: {{type: array, items: {{type: integer}}}}}}
              - {{name: filter, in: query, style: deepObject, deprecated: true,
                  schema: {{type: object, additionalProperties: {{type: string}}}}}}
              - {{name: tags, in: query, explode: false, allowReserved: true,
                  schema: {{type: array, items: {{type: string}}}}}}
              - name: where
                in: query
                content:
                  application/json: {{schema: {{type: object, properties: {{a: {{type: integer}}}}}}}}
              - {{name: limit, in: query, schema: {{type: integer, default: 25}}}}
              - {{name: session, in: cookie, schema: {{type: string}}}}
            {NO_CONTENT}
        """,
    )
    params = {p.wire_name: p for p in parsed.operation("listItems").params}
    assert [
        (p.style, p.explode, p.allow_reserved, p.media_type, p.deprecated) for p in params.values()
    ] == [
        ("label", True, False, None, False),
        ("deepObject", None, False, None, True),
        (None, False, True, None, False),
        (None, None, False, "application/json", False),
        (None, None, False, None, False),
        (None, None, False, None, False),
    ]
    assert params["where"].type == ir.ModelRef("Where")
    assert params["limit"].default == ir.Default(25)
    assert params["tags"].default is None


def test_a_parameter_reached_through_a_chain_of_refs_is_read(tmp_path: Path) -> None:
    parsed = parse_document(
        tmp_path,
        f"""
        openapi: 3.1.0
        info: {{title: T, version: '1'}}
        paths:
          /items:
            $ref: '#/components/pathItems/Items'
        components:
          pathItems:
            Items: {{$ref: '#/components/pathItems/Real'}}
            Real:
              get:
                operationId: listItems
                parameters: [{{$ref: '#/components/parameters/Alias'}}]
                {NO_CONTENT}
          parameters:
            Alias: {{$ref: '#/components/parameters/Limit'}}
            Limit: {{name: limit, in: query, schema: {{type: integer}}}}
        """.replace("\n        ", "\n"),
    )
    (param,) = parsed.operation("listItems").params
    assert (param.wire_name, param.type) == ("limit", INT)


def test_a_ref_chain_that_comes_back_on_itself_leaves_out_the_operation(tmp_path: Path) -> None:
    parsed = parse_document(
        tmp_path,
        f"""
        openapi: 3.1.0
        info: {{title: T, version: '1'}}
        paths:
          /jobs:
            get:
              operationId: listJobs
              {NO_CONTENT}
            post:
              operationId: createJob
              requestBody: {{$ref: '#/components/requestBodies/A'}}
              {NO_CONTENT}
        components:
          requestBodies:
            A: {{$ref: '#/components/requestBodies/B'}}
            B: {{$ref: '#/components/requestBodies/A'}}
        """.replace("\n        ", "\n"),
    )
    assert [op.operation_id for op in parsed.api.operations] == ["listJobs"]
    (skipped,) = parsed.report.skipped
    assert (skipped.code, skipped.message) == (
        "ref-cycle",
        "circular $ref: #/components/requestBodies/A -> #/components/requestBodies/B "
        "-> #/components/requestBodies/A; the operation POST /jobs is left out",
    )


# -------------------------------------------------------------------------------------------- bodies
def _body(tmp_path: Path, content: str, required: bool = True) -> ir.Body | None:
    parsed = parse_paths(
        tmp_path,
        f"""
        /jobs:
          post:
            operationId: createJob
            requestBody:
              required: {str(required).lower()}
              description: What to start.
              content:
                {content}
            {NO_CONTENT}
        """,
    )
    return parsed.operation("createJob").body


def test_a_json_body_is_typed_and_named_after_the_operation(tmp_path: Path) -> None:
    body = _body(
        tmp_path,
        "application/vnd.api+json: {schema: {type: object, properties: {kind: {type: string}}}}",
    )
    assert body == ir.Body(
        "application/vnd.api+json", "json", ir.ModelRef("CreateJobBody"), True, (), "What to start."
    )


def test_a_multipart_body_gives_one_part_per_property_files_as_bytes(tmp_path: Path) -> None:
    body = _body(
        tmp_path,
        """multipart/form-data:
                  schema:
                    type: object
                    required: [file]
                    properties:
                      file: {type: string, format: binary}
                      self: {type: string}
                      size: {type: integer, description: In bytes.}""",
    )
    assert body is not None and (body.kind, body.type) == ("multipart", ir.ANY)
    assert body.parts == (
        ir.BodyPart("file", "file", ir.PrimitiveType("bytes"), True, True),
        ir.BodyPart("self", "self_", STR, False, False),
        ir.BodyPart("size", "size", INT, False, False, "In bytes."),
    )


def test_a_form_body_gives_parts(tmp_path: Path) -> None:
    body = _body(
        tmp_path,
        "application/x-www-form-urlencoded: {schema: {properties: {name: {type: string}}}}",
        required=False,
    )
    assert body is not None
    assert (body.kind, body.required) == ("form", False)
    assert body.parts == (ir.BodyPart("name", "name", STR, False, False),)


def test_binary_and_text_bodies_are_bytes_and_str(tmp_path: Path) -> None:
    (tmp_path / "binary").mkdir()
    (tmp_path / "text").mkdir()
    binary = _body(tmp_path / "binary", "application/octet-stream: {}")
    text = _body(tmp_path / "text", "text/csv: {schema: {type: string}}")
    assert binary == ir.Body(
        "application/octet-stream", "binary", ir.PrimitiveType("bytes"), True, (), "What to start."
    )
    assert text == ir.Body("text/csv", "text", STR, True, (), "What to start.")


def test_a_body_with_alternatives_sends_json_and_warns_of_the_rest(tmp_path: Path) -> None:
    parsed = parse_paths(
        tmp_path,
        f"""
        /jobs:
          post:
            operationId: createJob
            requestBody:
              content:
                text/plain: {{}}
                multipart/form-data: {{schema: {{properties: {{a: {{type: string}}}}}}}}
                application/json: {{schema: {{type: integer}}}}
            {NO_CONTENT}
        """,
    )
    body = parsed.operation("createJob").body
    assert body is not None and (body.content_type, body.type) == ("application/json", INT)
    assert [w.location.pointer.rsplit("/", 1)[-1] for w in parsed.report.warnings] == [
        "text~1plain",
        "multipart~1form-data",
    ]
    assert parsed.warnings == ["body-alternative", "body-alternative"]


def test_every_media_type_a_body_offers_is_kept_in_document_order(tmp_path: Path) -> None:
    parsed = parse_paths(
        tmp_path,
        f"""
        /jobs:
          post:
            operationId: createJob
            requestBody:
              required: true
              content:
                text/plain: {{}}
                multipart/form-data:
                  schema:
                    properties:
                      file: {{type: string, format: binary}}
                      tags: {{type: array, items: {{type: string}}}}
                      meta: {{type: object, properties: {{a: {{type: string}}}}}}
                  encoding:
                    file: {{contentType: text/csv}}
                    meta: {{contentType: application/json}}
                application/x-www-form-urlencoded:
                  schema: {{properties: {{ids: {{type: array, items: {{type: integer}}}}}}}}
                  encoding:
                    ids: {{style: pipeDelimited, explode: false, allowReserved: true}}
                application/vnd.api+json: {{schema: {{type: integer}}}}
                application/octet-stream: {{}}
            {NO_CONTENT}
        """,
    )
    operation = parsed.operation("createJob")
    assert [(b.content_type, b.kind, b.required) for b in operation.bodies] == [
        ("text/plain", "text", True),
        ("multipart/form-data", "multipart", True),
        ("application/x-www-form-urlencoded", "form", True),
        ("application/vnd.api+json", "json", True),
        ("application/octet-stream", "binary", True),
    ]
    # The default: the first JSON one (a vendor type kept as declared), the same object.
    assert operation.body is operation.bodies[3] and operation.body.type == INT
    multipart, form = operation.bodies[1], operation.bodies[2]
    assert [(p.wire_name, p.type, p.is_file, p.encoding) for p in multipart.parts] == [
        ("file", ir.PrimitiveType("bytes"), True, ir.Encoding(content_type="text/csv")),
        ("tags", ir.ListType(STR), False, None),
        (
            "meta",
            ir.ModelRef("CreateJobMultipartFormDataBodyMeta"),
            False,
            ir.Encoding("application/json"),
        ),
    ]
    assert form.parts[0].encoding == ir.Encoding(None, "pipeDelimited", False, True)


def test_a_body_reached_through_a_chain_of_refs_keeps_its_content(tmp_path: Path) -> None:
    parsed = parse_document(
        tmp_path,
        f"""
        openapi: 3.1.0
        info: {{title: T, version: '1'}}
        paths:
          /jobs:
            post:
              operationId: createJob
              requestBody: {{$ref: '#/components/requestBodies/Alias'}}
              {NO_CONTENT}
        components:
          requestBodies:
            Alias: {{$ref: '#/components/requestBodies/Job'}}
            Job:
              required: true
              content:
                application/json: {{schema: {{type: integer}}}}
        """.replace("\n        ", "\n"),
    )
    body = parsed.operation("createJob").body
    assert body is not None and (body.content_type, body.type, body.required) == (
        "application/json",
        INT,
        True,
    )


def test_a_body_without_content_sends_nothing_with_a_warning(tmp_path: Path) -> None:
    parsed = parse_paths(
        tmp_path,
        f"""
        /jobs:
          post:
            operationId: createJob
            requestBody: {{content: {{}}}}
            {NO_CONTENT}
        """,
    )
    assert parsed.operation("createJob").body is None
    assert parsed.warnings == ["empty-body"]


# ----------------------------------------------------------------------------------------- responses
def test_several_success_responses_are_named_by_status(tmp_path: Path) -> None:
    parsed = parse_paths(
        tmp_path,
        """
        /jobs:
          post:
            operationId: createJob
            responses:
              '200': {description: Exists, content: {application/json: {schema: {properties: {a: {type: string}}}}}}
              '201': {description: Made, content: {application/json: {schema: {properties: {b: {type: string}}}}}}
              '404': {description: Gone, content: {application/json: {schema: {properties: {c: {type: string}}}}}}
        """,
    )
    responses = parsed.operation("createJob").responses
    assert [(r.status, r.description, r.type) for r in responses] == [
        ("200", "Exists", ir.ModelRef("CreateJobResponse200")),
        ("201", "Made", ir.ModelRef("CreateJobResponse201")),
        ("404", "Gone", ir.ModelRef("CreateJobResponse404")),
    ]
    assert [r.status for r in parsed.operation("createJob").success_responses] == ["200", "201"]


def test_one_success_response_and_responses_that_are_not_json(tmp_path: Path) -> None:
    parsed = parse_paths(
        tmp_path,
        """
        /jobs/file:
          get:
            operationId: getFile
            responses:
              '200': {description: The file, content: {text/csv: {schema: {type: string}}}}
              '202': {description: Any JSON, content: {application/json: {}}}
              '204': {description: Nothing}
        /jobs:
          get:
            operationId: listJobs
            responses:
              '200': {description: Jobs, content: {application/json: {schema: {properties: {a: {type: string}}}}}}
        """,
    )
    assert [(r.status, r.type, r.content_type) for r in parsed.operation("getFile").responses] == [
        ("200", None, "text/csv"),
        ("202", ir.ANY, "application/json"),
        ("204", None, None),
    ]
    (jobs,) = parsed.operation("listJobs").responses
    assert jobs.type == ir.ModelRef("ListJobsResponse")


def test_every_media_type_of_a_response_is_typed(tmp_path: Path) -> None:
    parsed = parse_paths(
        tmp_path,
        """
        /exports/{id}:
          get:
            operationId: getExport
            parameters: [{name: id, in: path, required: true, schema: {type: string}}]
            responses:
              '200':
                description: The file.
                content:
                  application/octet-stream: {schema: {type: string, format: binary}}
                  text/csv: {schema: {type: string}}
                  application/vnd.api+json: {schema: {type: object, properties: {a: {type: string}}}}
                  application/json: {schema: {type: object, properties: {b: {type: string}}}}
              4XX:
                description: Refused.
                content:
                  application/json: {schema: {type: object, properties: {title: {type: string}}}}
        """,
    )
    ok, refused = parsed.operation("getExport").responses
    assert ok.contents == (
        ir.ResponseContent("application/octet-stream", "binary", ir.PrimitiveType("bytes")),
        ir.ResponseContent("text/csv", "text", STR),
        ir.ResponseContent("application/vnd.api+json", "json", ir.ModelRef("GetExportResponse")),
        ir.ResponseContent(
            "application/json", "json", ir.ModelRef("GetExportResponseApplicationJson")
        ),
    )
    # The first JSON media type stays the response's type (what the client reads today).
    assert (ok.type, ok.content_type) == (
        ir.ModelRef("GetExportResponse"),
        "application/vnd.api+json",
    )
    assert not ok.is_error and refused.is_error
    assert refused.contents == (
        ir.ResponseContent("application/json", "json", ir.ModelRef("GetExportResponse4XX")),
    )


def test_a_response_reached_through_a_chain_of_refs_keeps_its_body(tmp_path: Path) -> None:
    parsed = parse_document(
        tmp_path,
        """
        openapi: 3.1.0
        info: {title: T, version: '1'}
        paths:
          /jobs:
            get:
              operationId: listJobs
              responses:
                '200': {$ref: '#/components/responses/Alias'}
        components:
          responses:
            Alias: {$ref: '#/components/responses/Jobs'}
            Jobs:
              description: The jobs.
              content:
                application/json: {schema: {type: integer}}
        """.replace("\n        ", "\n"),
    )
    (response,) = parsed.operation("listJobs").responses
    assert (response.type, response.description) == (INT, "The jobs.")


def test_a_response_key_that_is_not_a_status_code_is_skipped_and_named(tmp_path: Path) -> None:
    parsed = parse_paths(
        tmp_path,
        """
        /jobs:
          get:
            operationId: listJobs
            responses:
              '200': {description: OK}
              OK: {description: Also OK?}
              4xx: {description: Refused.}
              x-internal: {description: An extension, not a response.}
        """,
    )
    assert [r.status for r in parsed.operation("listJobs").responses] == ["200", "4xx"]
    assert parsed.warnings == []
    (skipped,) = parsed.report.skipped
    assert (skipped.code, skipped.location.pointer, skipped.message) == (
        "response-status",
        "/paths/~1jobs/get/responses/OK",
        "response key 'OK' is not a status code (such as 200, 2XX or default); "
        "the response is left out",
    )


# ---------------------------------------------------------------------------------------- operations
def test_operations_keep_their_documented_details_and_group(tmp_path: Path) -> None:
    parsed = parse_paths(
        tmp_path,
        f"""
        /v2/jobs/{{id}}:
          parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]
          get:
            operationId: getJob
            summary: Get a job
            description: Reads one job.
            deprecated: true
            {NO_CONTENT}
          delete:
            operationId: deleteJob
            tags: [Job Admin, Other]
            {NO_CONTENT}
        """,
    )
    get, delete = parsed.operation("getJob"), parsed.operation("deleteJob")
    assert (get.py_name, get.method, get.path, get.resource) == (
        "get_job",
        "GET",
        "/v2/jobs/{id}",
        "jobs",
    )
    assert (get.summary, get.description, get.deprecated) == ("Get a job", "Reads one job.", True)
    assert get.location.pointer == "/paths/~1v2~1jobs~1{id}/get"
    assert (delete.method, delete.resource, delete.deprecated) == ("DELETE", "Job Admin", False)


def test_a_duplicate_operation_id_gets_a_suffix_and_a_missing_one_is_made(tmp_path: Path) -> None:
    parsed = parse_paths(
        tmp_path,
        f"""
        /jobs:
          get:
            operationId: jobs
            {NO_CONTENT}
          post:
            operationId: jobs
            {NO_CONTENT}
        /jobs/{{id}}/cancel:
          parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]
          post:
            {NO_CONTENT}
        """,
    )
    names = [(op.operation_id, op.py_name) for op in parsed.api.operations]
    assert names == [
        ("jobs", "jobs"),
        ("jobs", "jobs_2"),
        ("post_jobs_id_cancel", "post_jobs_id_cancel"),
    ]
    assert parsed.warnings == ["missing-operation-id", "duplicate-operation-id"]


# ----------------------------------------------------------------------------------------- documents
def test_servers_get_regions_and_security_schemes_are_listed(tmp_path: Path) -> None:
    parsed = parse_document(
        tmp_path,
        """
        openapi: 3.1.0
        info: {title: Jobs API, version: '2.1', description: Starts jobs.}
        servers:
          - {url: 'https://useast.example.com/', description: US East Production Server}
          - url: 'https://{region}.example.com'
            variables: {region: {default: eu}}
          - {url: 'https://other.example.com', description: The EU West server}
          - {url: 'https://again.example.com', description: US East}
        paths: {}
        components:
          securitySchemes:
            token: {type: http, scheme: bearer}
            basic: {type: http, scheme: basic}
        """,
    )
    api = parsed.api
    assert (api.title, api.version, api.description, api.openapi_version) == (
        "Jobs API",
        "2.1",
        "Starts jobs.",
        "3.1.0",
    )
    assert [(s.url, s.region) for s in api.servers] == [
        ("https://useast.example.com", "us-east"),
        ("https://eu.example.com", "eu"),
        ("https://other.example.com", "eu-west"),
        ("https://again.example.com", "us-east-2"),
    ]
    assert api.auth_schemes == ("basic", "token")


def test_webhooks_are_skipped_and_reported(tmp_path: Path) -> None:
    parsed = parse_document(
        tmp_path,
        """
        openapi: 3.1.0
        info: {title: T, version: '1'}
        paths: {}
        webhooks:
          jobDone:
            post:
              responses: {'200': {description: OK}}
        """,
    )
    assert parsed.api.operations == ()
    (skipped,) = parsed.report.skipped
    assert (skipped.code, skipped.location.pointer) == ("webhook", "/webhooks/jobDone")
