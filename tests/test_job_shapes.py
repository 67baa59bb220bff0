"""Every job shape a version 2 profile can describe, end to end: job APIs invented here, each with its
own small spec, generated into one package, and driven through the typed accessors and `client.jobs`
against the package's own fake, sync and async (and over real sockets for one shape).

- media.yaml has two job resources with their own names: `transcodes` (no `type` in the job
  object, status words in upper case under `meta`, cancelled by a DELETE that removes the job, a
  `description` filled on success and failure alike) and `uploads` (created by a multipart upload,
  no status field at all: the state comes from which timestamps are set);
- catalog.yaml reads `catalog_jobs`, which prices.yaml's `POST /prices/import` starts; they are
  cancelled by a POST accepted only while queued.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.config import Config
from generator.output import write_output
from generator.pipeline import run

from .conftest import write_spec

MEDIA = """
openapi: 3.0.3
info: {title: Media API, version: '1'}
servers: [{url: 'https://media.example.test', description: Local}]
paths:
  /media/transcodes:
    get:
      operationId: listTranscodes
      responses:
        '200':
          description: transcodes
          content: {application/json: {schema: {$ref: '#/components/schemas/TranscodeList'}}}
    post:
      operationId: startTranscode
      summary: Start a transcode
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/TranscodeRequest'}
      responses:
        '201':
          description: started
          content: {application/json: {schema: {$ref: '#/components/schemas/TranscodeEnvelope'}}}
  /media/transcodes/{transcode_id}:
    parameters: [{name: transcode_id, in: path, required: true, schema: {type: string}}]
    get:
      operationId: getTranscode
      responses:
        '200':
          description: the transcode
          content: {application/json: {schema: {$ref: '#/components/schemas/TranscodeEnvelope'}}}
    delete:
      operationId: deleteTranscode
      responses:
        '204': {description: deleted}
  /media/uploads:
    post:
      operationId: uploadMedia
      summary: Upload a media file
      description: The file is checked and stored in the background.
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file]
              properties:
                file: {type: string, format: binary, description: The media file.}
                label: {type: string, description: A label for the upload.}
      responses:
        '201':
          description: started
          content: {application/json: {schema: {$ref: '#/components/schemas/UploadEnvelope'}}}
  /media/uploads/{upload_id}:
    get:
      operationId: getUpload
      parameters: [{name: upload_id, in: path, required: true, schema: {type: string}}]
      responses:
        '200':
          description: the upload
          content: {application/json: {schema: {$ref: '#/components/schemas/UploadEnvelope'}}}
  /media/uploads/{upload_id}/problems:
    get:
      operationId: getUploadProblems
      parameters: [{name: upload_id, in: path, required: true, schema: {type: string}}]
      responses:
        '200':
          description: what went wrong
          content: {application/json: {schema: {$ref: '#/components/schemas/Problems'}}}
components:
  schemas:
    TranscodeRequest:
      type: object
      required: [preset]
      properties:
        preset: {type: string}
        source: {type: string}
    Transcode:
      type: object
      required: [id, meta]
      properties:
        id: {type: string}
        preset: {type: string}
        description: {type: string, description: What happened (filled on success too).}
        meta:
          type: object
          properties:
            status: {type: string, enum: [QUEUED, IN_PROGRESS, COMPLETED, FAILED]}
            created_at: {type: string, format: date-time}
    TranscodeEnvelope:
      type: object
      properties:
        data: {$ref: '#/components/schemas/Transcode'}
    TranscodeList:
      type: object
      properties:
        data: {type: array, items: {$ref: '#/components/schemas/Transcode'}}
    Upload:
      type: object
      properties:
        upload_id: {type: string}
        label: {type: string}
        started_at: {type: string, nullable: true}
        completed_at: {type: string, nullable: true}
        failed_at: {type: string, nullable: true}
    UploadEnvelope:
      type: object
      properties:
        upload: {$ref: '#/components/schemas/Upload'}
    Problems:
      type: object
      properties:
        problems:
          type: array
          items: {type: object, properties: {message: {type: string}}}
"""

CATALOG = """
openapi: 3.0.3
info: {title: Catalog API, version: '2'}
servers: [{url: 'https://media.example.test', description: Local}]
paths:
  /catalog/jobs:
    get:
      operationId: listCatalogJobs
      responses:
        '200':
          description: jobs
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: {type: array, items: {$ref: '#/components/schemas/CatalogJob'}}
  /catalog/jobs/{job_id}:
    get:
      operationId: getCatalogJob
      parameters: [{name: job_id, in: path, required: true, schema: {type: string}}]
      responses:
        '200':
          description: the job
          content: {application/json: {schema: {$ref: '#/components/schemas/CatalogJobEnvelope'}}}
  /catalog/jobs/{job_id}/cancel:
    post:
      operationId: cancelCatalogJob
      parameters: [{name: job_id, in: path, required: true, schema: {type: string}}]
      responses:
        '200':
          description: the job
          content: {application/json: {schema: {$ref: '#/components/schemas/CatalogJobEnvelope'}}}
components:
  schemas:
    CatalogJob:
      type: object
      properties:
        id: {type: string}
        type: {type: string}
        attributes:
          type: object
          properties:
            kind: {type: string}
            status: {type: string, enum: [queued, running, done, failed, cancelled]}
    CatalogJobEnvelope:
      type: object
      properties:
        data: {$ref: '#/components/schemas/CatalogJob'}
"""

PRICES = """
openapi: 3.0.3
info: {title: Prices API, version: '3'}
servers: [{url: 'https://media.example.test', description: Local}]
paths:
  /prices/import:
    post:
      operationId: importPrices
      summary: Import prices
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/PriceImport'}
      responses:
        '201':
          description: the import job, read through the catalog jobs
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: {type: object, additionalProperties: true}
components:
  schemas:
    PriceImport:
      type: object
      required: [source]
      properties:
        source: {type: string}
"""

PROFILE = """
version: 2
jobs:
  - name: transcodes
    api: media
    job_param: transcode_id
    envelope: data
    operations:
      create: POST /media/transcodes
      list: GET /media/transcodes
      get: GET /media/transcodes/{transcode_id}
    cancel: DELETE /media/transcodes/{transcode_id}
    fields:
      id: id
      kind: preset
      status: meta.status
      created_at: meta.created_at
      error: description
    statuses:
      pending: [QUEUED]
      running: [IN_PROGRESS]
      succeeded: [COMPLETED]
      failed: [FAILED]

  - name: uploads
    api: media
    job_param: upload_id
    envelope: upload
    operations:
      create: POST /media/uploads
      get: GET /media/uploads/{upload_id}
      errors: GET /media/uploads/{upload_id}/problems
    error_messages: problems[].message
    fields:
      id: upload_id
      kind: label
      started_at: started_at
      finished_at: {path: completed_at, when: [succeeded]}
    state:
      - {status: failed, if: {present: failed_at}}
      - {status: succeeded, if: {present: completed_at}}
      - {status: running, if: {present: started_at}}
      - {status: pending}

  - name: catalog_jobs
    api: catalog
    resource_type: catalog-job
    job_param: job_id
    envelope: data
    operations:
      create:
        price_import: {api: prices, operation: POST /prices/import}
      list: GET /catalog/jobs
      get: GET /catalog/jobs/{job_id}
    cancel: {operation: "POST /catalog/jobs/{job_id}/cancel", from: [queued]}
    fields:
      id: id
      kind: attributes.kind
      status: attributes.status
    statuses:
      pending: [queued]
      running: [running]
      succeeded: [done]
      failed: [failed]
      cancelled: [cancelled]
"""

PACKAGE = "shapespkg"


@pytest.fixture(scope="module")
def package_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shapes")
    specs = tuple(
        write_spec(folder, text, name)
        for text, name in (
            (MEDIA, "media.yaml"),
            (CATALOG, "catalog.yaml"),
            (PRICES, "prices.yaml"),
        )
    )
    profile = write_spec(folder, PROFILE, "jobs.yaml")
    out = folder / "out"
    result = run(Config(specs=specs, output=out, package=PACKAGE, profiles=(profile,)))
    assert result.warnings == [], [str(w) for w in result.warnings]
    write_output(result.files, out)
    return out


@pytest.fixture(scope="module")
def pkg(package_dir: Path) -> Iterator[Any]:
    import importlib

    sys.path.insert(0, str(package_dir))
    importlib.invalidate_caches()
    module = importlib.import_module(PACKAGE)
    importlib.import_module(f"{PACKAGE}.testing")
    yield module
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    sys.path.remove(str(package_dir))


class Blocking:
    """A sync or an async object (a client, `client.jobs`, an accessor), called the same blocking
    way: coroutines run on the harness's loop; `watch` gives a list."""

    def __init__(self, target: Any, loop: asyncio.AbstractEventLoop | None) -> None:
        self._target = target
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if name == "watch":
            return self._watch
        if hasattr(attribute, "wait") or hasattr(attribute, "jobs"):  # a facade, an accessor
            return Blocking(attribute, self._loop)
        if not callable(attribute):
            return attribute
        return lambda *args, **kwargs: self.run(attribute(*args, **kwargs))

    def run(self, result: Any) -> Any:
        if inspect.isawaitable(result):
            assert self._loop is not None
            return self._loop.run_until_complete(result)
        return result

    def _watch(self, job: Any, **options: Any) -> list[Any]:
        snapshots = self._target.watch(job, **options)
        if self._loop is None:
            return list(snapshots)

        async def collect() -> list[Any]:
            return [snapshot async for snapshot in snapshots]

        return self._loop.run_until_complete(collect())


@pytest.fixture
def server(pkg: Any) -> Any:
    return pkg.testing.FakeJobServer()


@pytest.fixture(params=["sync", "async"])
def client(request: pytest.FixtureRequest, server: Any) -> Iterator[Blocking]:
    if request.param == "sync":
        made = server.client()
        yield Blocking(made, None)
        made.close()
    else:
        loop = asyncio.new_event_loop()
        made = server.async_client()
        yield Blocking(made, loop)
        loop.run_until_complete(made.aclose())
        loop.close()


# -- several job resources in one spec, each with its own name ---------------------------------------


def test_one_spec_gives_two_families_each_with_its_own_name(pkg: Any, client: Blocking) -> None:
    profiles = client.jobs.profiles
    assert list(profiles) == ["transcodes", "uploads", "catalog_jobs"]
    assert profiles["transcodes"].api == profiles["uploads"].api == "media"
    job = client.jobs.transcodes.create(body={"preset": "1080p"})
    assert (job.api, job.kind, job.raw_status) == ("transcodes", "1080p", "QUEUED")
    assert client.jobs.get("transcodes", job.id).raw_status == "IN_PROGRESS"
    assert [j.id for j in client.jobs.transcodes.list()] == [job.id]


# -- a job object without a resource type -------------------------------------------------------------


def test_a_job_object_without_a_type_is_read_and_served_without_one(
    pkg: Any, client: Blocking, server: Any
) -> None:
    assert client.jobs.profiles["transcodes"].resource_type is None
    job = client.jobs.transcodes.create(body={"preset": "4k", "source": "s3://in.mov"})
    assert "type" not in job.raw
    assert job.model is not None and job.model.preset == "4k"  # the spec's own model
    done = client.jobs.transcodes.wait(job, timeout=600)
    assert done.status is pkg.JobStatus.SUCCEEDED and done.raw_status == "COMPLETED"


# -- cancel by DELETE: a cancelled snapshot, then the job is gone -------------------------------------


def test_a_delete_cancel_returns_a_cancelled_snapshot_and_the_job_is_gone(
    pkg: Any, client: Blocking, server: Any
) -> None:
    job = client.jobs.transcodes.create(body={"preset": "720p"})
    cancelled = client.jobs.transcodes.cancel(job)
    assert cancelled.status is pkg.JobStatus.CANCELLED and cancelled.id == job.id
    assert cancelled.raw_status == "cancelled"  # the API has no word of its own for it
    (delete,) = server.requests_for(api="transcodes", operation="cancel")
    assert delete.method == "DELETE" and delete.path == f"/media/transcodes/{job.id}"
    assert server.jobs == []
    with pytest.raises(pkg.NotFoundError):
        client.jobs.transcodes.get(job.id)


def test_a_timed_out_wait_cancels_through_the_delete(
    pkg: Any, client: Blocking, server: Any
) -> None:
    server.script_next("transcodes", ["QUEUED", "IN_PROGRESS"])
    job = client.jobs.transcodes.create(body={"preset": "720p"})
    with pytest.raises(pkg.JobTimeoutError) as timed_out:
        client.jobs.wait(job, timeout=5, cancel_on_timeout=True)
    assert "cancel requested (now cancelled)" in str(timed_out.value)
    assert timed_out.value.job.status is pkg.JobStatus.CANCELLED


# -- a cancel endpoint accepted only in some statuses ---------------------------------------------------


def test_a_cancel_endpoint_with_allowed_statuses(pkg: Any, client: Blocking, server: Any) -> None:
    server.script_next("catalog_jobs", ["queued", "running", "done"])
    queued = client.jobs.catalog_jobs.create_price_import(body={"source": "prices.csv"})
    assert queued.raw_status == "queued"
    running = client.jobs.catalog_jobs.get(queued.id)
    assert running.raw_status == "running"
    with pytest.raises(pkg.JobOperationNotSupported, match="only be cancelled while queued"):
        client.jobs.catalog_jobs.cancel(running)
    assert server.requests_for(operation="cancel") == []
    other = client.jobs.catalog_jobs.create_price_import(body={"source": "more.csv"})
    cancelled = client.jobs.cancel(other)
    assert cancelled.status is pkg.JobStatus.CANCELLED and cancelled.raw_status == "cancelled"


# -- a job created in one spec and read through another's endpoints -------------------------------------


def test_a_job_started_by_one_api_is_read_through_another(
    pkg: Any, client: Blocking, server: Any
) -> None:
    job = client.jobs.catalog_jobs.create_price_import(body={"source": "prices.csv"})
    (started,) = server.requests_for(operation="create")
    assert (started.method, started.path, started.json()) == (
        "POST",
        "/prices/import",
        {"source": "prices.csv"},
    )
    assert job.api == "catalog_jobs" and job.raw["type"] == "catalog-job"
    done = client.jobs.wait(job, timeout=600)
    assert done.status is pkg.JobStatus.SUCCEEDED
    reads = {r.path for r in server.requests_for(api="catalog_jobs", operation="get")}
    assert reads == {f"/catalog/jobs/{job.id}"}
    # The generic create goes the same way (the creator's body is JSON).
    assert client.jobs.create("catalog_jobs", {"source": "x.csv"}).api == "catalog_jobs"


# -- jobs with no status field ----------------------------------------------------------------------------


def test_a_status_less_job_succeeds(pkg: Any, client: Blocking, server: Any) -> None:
    job = client.jobs.uploads.create(file=("clip.mov", b"\x00\x01"), label="clip")
    assert (job.status, job.raw_status) == (pkg.JobStatus.PENDING, "pending")
    seen: list[str] = []
    done = client.jobs.uploads.wait(job, timeout=600, on_change=lambda j: seen.append(j.raw_status))
    assert done.status is pkg.JobStatus.SUCCEEDED
    assert seen == ["running", "succeeded"]
    assert done.finished_at is not None and done.started_at is not None


def test_a_status_less_job_fails_with_its_problems(pkg: Any, client: Blocking, server: Any) -> None:
    server.script_next("uploads", ["pending", "failed"], errors=["unsupported codec"])
    job = client.jobs.uploads.create(file=b"not a movie")
    with pytest.raises(pkg.JobFailedError, match="unsupported codec") as failed:
        client.jobs.uploads.wait(job, timeout=600)
    assert failed.value.job.status is pkg.JobStatus.FAILED
    assert failed.value.errors == ["unsupported codec"]
    # `finished_at` counts only when succeeded (its `when`): a failed upload has none.
    assert failed.value.job.finished_at is None


# -- a multipart create through the typed accessor --------------------------------------------------------


def test_a_multipart_create_sends_the_file_and_the_fields(
    pkg: Any, client: Blocking, server: Any
) -> None:
    client.jobs.uploads.create(file=("clip.mov", b"MOVIE", "video/quicktime"), label="holiday")
    (sent,) = server.requests_for(api="uploads", operation="create")
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = sent.content
    assert b'name="file"; filename="clip.mov"' in body and b"MOVIE" in body
    assert b"Content-Type: video/quicktime" in body
    assert b'name="label"' in body and b"holiday" in body


def test_the_fake_refuses_a_json_body_to_a_multipart_creator(pkg: Any, server: Any) -> None:
    import httpx

    with httpx.Client(transport=server.transport(), base_url=server.base_url) as http:
        refused = http.post("/media/uploads", json={"label": "x"})
        accepted = http.post("/media/uploads", files={"file": ("a.mov", b"A")})
    assert refused.status_code == 415 and accepted.status_code == 201
    assert [job.api for job in server.jobs] == ["uploads"]


def test_the_generic_create_refuses_a_multipart_family(pkg: Any, client: Blocking) -> None:
    with pytest.raises(pkg.JobOperationNotSupported, match=r"client\.jobs\.uploads\.create"):
        client.jobs.create("uploads", {"label": "x"})


# -- an error text the API fills on success too -------------------------------------------------------------


def test_an_error_text_counts_only_when_the_job_failed(
    pkg: Any, client: Blocking, server: Any
) -> None:
    fine = server.add_job(
        "transcodes",
        status_script=["COMPLETED"],
        fields={"description": "Successfully processed 12 segments"},
    )
    job = client.jobs.transcodes.get(fine.id)
    assert job.status is pkg.JobStatus.SUCCEEDED
    assert job.raw["description"] == "Successfully processed 12 segments"
    assert job.error is None
    broken = server.add_job("transcodes", status_script=["FAILED"], errors=["bad source"])
    failed = client.jobs.transcodes.get(broken.id)
    assert failed.error == "bad source"


# -- a status word nobody mapped ------------------------------------------------------------------------------


def test_an_unknown_status_warns_once_and_never_waits_forever(
    pkg: Any, client: Blocking, server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    server.script_next("transcodes", ["QUEUED", pkg.testing.Raw("REBUFFERING")])
    job = client.jobs.transcodes.create(body={"preset": "8k"})
    pkg._job_model._warned.clear()  # once per process: forget the other client kind's warning
    with (
        caplog.at_level(logging.WARNING, logger=PACKAGE),
        pytest.raises(pkg.JobStatusUnknownError) as unknown,
    ):
        client.jobs.transcodes.wait(job)  # no timeout: the bound ends it
    assert unknown.value.word == "REBUFFERING" and unknown.value.limit == 300
    assert unknown.value.job.status is pkg.JobStatus.RUNNING
    assert server.clock.now() >= 300
    warnings = [r for r in caplog.records if "REBUFFERING" in r.getMessage()]
    assert len([r for r in warnings if "unknown transcodes job status" in r.getMessage()]) == 1


def test_an_unknown_status_is_waited_on_when_asked(pkg: Any, client: Blocking, server: Any) -> None:
    server.script_next(
        "transcodes", ["QUEUED", *[pkg.testing.Raw("REBUFFERING")] * 40, "COMPLETED"]
    )
    job = client.jobs.transcodes.create(body={"preset": "8k"})
    done = client.jobs.transcodes.wait(job, unknown_status_limit=None, max_delay=30)
    assert done.status is pkg.JobStatus.SUCCEEDED


# -- progress ---------------------------------------------------------------------------------------------------


def test_wait_reports_each_change_and_logs_it(
    pkg: Any, client: Blocking, caplog: pytest.LogCaptureFixture
) -> None:
    job = client.jobs.transcodes.create(body={"preset": "1080p"})
    changes: list[tuple[str, str]] = []
    with caplog.at_level(logging.INFO, logger=PACKAGE):
        client.jobs.wait(job, timeout=600, on_change=lambda j: changes.append((j.id, j.raw_status)))
    assert changes == [(job.id, "IN_PROGRESS"), (job.id, "COMPLETED")]
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert f"transcodes job {job.id}: QUEUED -> IN_PROGRESS (running)" in logged
    assert f"transcodes job {job.id}: IN_PROGRESS -> COMPLETED (succeeded)" in logged


def test_an_async_on_change_is_awaited(pkg: Any, server: Any) -> None:
    seen: list[str] = []

    async def record(job: Any) -> None:
        await asyncio.sleep(0)
        seen.append(job.raw_status)

    async def main() -> None:
        async with server.async_client() as client:
            job = await client.jobs.transcodes.create(body={"preset": "1080p"})
            await client.jobs.wait(job, timeout=600, on_change=record)

    asyncio.run(main())
    assert seen == ["IN_PROGRESS", "COMPLETED"]


def test_watch_is_the_progress_api(pkg: Any, client: Blocking) -> None:
    job = client.jobs.catalog_jobs.create_price_import(body={"source": "p.csv"})
    assert [j.raw_status for j in client.jobs.catalog_jobs.watch(job, timeout=600)] == [
        "running",
        "done",
    ]


# -- over real sockets ------------------------------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_the_shapes_over_a_live_socket(pkg: Any, server: Any) -> None:
    with server.serve(max_lifetime=30) as live, live.client() as client:
        upload = client.jobs.uploads.create(file=("a.mov", b"A"), label="live")
        assert client.jobs.uploads.wait(upload, timeout=600).status is pkg.JobStatus.SUCCEEDED
        job = client.jobs.transcodes.create(body={"preset": "720p"})
        assert client.jobs.transcodes.cancel(job).status is pkg.JobStatus.CANCELLED
        with pytest.raises(pkg.NotFoundError):
            client.jobs.transcodes.get(job.id)


# -- typed job calls ---------------------------------------------------------------------------------------------

_TYPED_USE = f"""
from {PACKAGE} import AsyncClient, Client
from {PACKAGE}.media import models as media_models

client = Client(auth="token")
client.jobs.get("transcodez", "id")
client.jobs.get("transcodes", "id")
client.jobs.transcodes.create(body=media_models.TranscodeRequest(preset="4k"))
client.jobs.transcodes.create(body=media_models.Upload())
client.jobs.transcodes.create(body={{"preset": "4k"}})
client.jobs.uploads.create(file=b"x", label=3)
client.jobs.uploads.create(label="x")
client.jobs.transcodez
client.jobs.catalog_jobs.create_price_import(body={{"source": "s"}})


async def main() -> None:
    async_client = AsyncClient(auth="token")
    await async_client.jobs.catalog_jobs.create_price_import(body=[1])
    await async_client.jobs.wait(
        await async_client.jobs.get("catalog_jobs", "id"), on_change=print, unknown_status_limit=60
    )
"""


def test_wrong_family_names_and_bodies_are_type_errors(package_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "use.py").write_text(_TYPED_USE, encoding="utf-8")
    done = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--no-error-summary"),
            *("--cache-dir", str(tmp_path / ".mypy_cache"), str(tmp_path / "use.py")),
        ],
        cwd=package_dir,
        capture_output=True,
        text=True,
        env={"MYPYPATH": str(package_dir), "PATH": "/usr/bin:/bin"},
    )
    errors = {
        int(line.split(":")[1]): line for line in done.stdout.splitlines() if ": error:" in line
    }
    lines = _TYPED_USE.splitlines()

    def line_of(text: str) -> int:
        return next(i for i, line in enumerate(lines, start=1) if text in line)

    assert "'transcodez'" in errors[line_of('get("transcodez"')], done.stdout
    assert "Upload" in errors[line_of("body=media_models.Upload()")], done.stdout
    assert "label" in errors[line_of("label=3")], done.stdout
    assert '"file"' in errors[line_of('create(label="x")')], done.stdout
    assert "transcodez" in errors[line_of("client.jobs.transcodez")], done.stdout
    assert "list[int]" in errors[line_of("body=[1]")], done.stdout
    assert set(errors) == {
        line_of(t)
        for t in (
            'get("transcodez"',
            "body=media_models.Upload()",
            "label=3",
            'create(label="x")',
            "client.jobs.transcodez",
            "body=[1]",
        )
    }, done.stdout


def test_each_create_documents_its_body(pkg: Any) -> None:
    uploads = pkg.Client(auth="t").jobs.uploads
    doc = " ".join((inspect.getdoc(uploads.create) or "").split())
    assert "Upload a media file" in doc and "multipart/form-data" in doc
    assert "`file` (required, a file" in doc and "The media file." in doc
    assert "`label` (optional): A label for the upload." in doc
    transcodes_doc = " ".join(
        (inspect.getdoc(pkg.Client(auth="t").jobs.transcodes.create) or "").split()
    )
    assert "`body`: a `media_models.TranscodeRequest` or a dict of the same shape" in transcodes_doc
    signature = inspect.signature(pkg.AsyncClient(auth="t").jobs.catalog_jobs.create_price_import)
    assert list(signature.parameters) == ["body", "options"]
    price_doc = inspect.getdoc(pkg.AsyncClient(auth="t").jobs.catalog_jobs.create_price_import)
    assert "Calls `POST /prices/import` of the Prices API" in " ".join((price_doc or "").split())
    assert not hasattr(uploads, "list")  # the API cannot list uploads


def test_the_package_is_clean(package_dir: Path) -> None:
    for command in (["ruff", "check", "."], ["ruff", "format", "--check", "."]):
        done = subprocess.run(
            [sys.executable, "-m", *command], cwd=package_dir, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", PACKAGE],
        cwd=package_dir,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-4000:]
