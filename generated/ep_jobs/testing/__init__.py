"""A fake of every profiled job API, in memory or on a local socket, for testing code that uses
this client. It needs nothing beyond httpx and pydantic.

    from <package>.testing import FakeJobServer

    server = FakeJobServer()  # every API in the package's job profiles
    with server.client() as client:  # a Client wired to the fake, on the fake's virtual clock
        job = client.jobs.create("exporter", {"data": {"type": "job", "job_type": "order_export"}})
        job = client.jobs.wait(job)  # pending -> started -> success: one step per poll
        client.jobs.download(job, "exports/")

Or wire it yourself: `Client(auth="t", base_url=server.base_url,
http_client=httpx.Client(transport=server.transport()))` (`httpx.AsyncClient` takes the same
transport). `server.serve()` runs the same fake on real sockets (`LiveServer`) for what an
in-process transport cannot show: a connection reset mid-body, a response slower than the client's
timeout, a body shorter than its `Content-Length`.

Driven by the job profiles
--------------------------
The fake simulates every job family in `PROFILES` (`_profiles.py`), or in the `profiles` you pass,
from the profile alone (tests name a family by its name, the `api=` of the methods below): its
routes are the profile's endpoints, every creator included (in whichever API's paths it is); a job object is built by setting values at
the profile's dotted field paths (`fields`) inside its `envelope`; status words come from the
profile's status map (for a family with no status field, the steps are canonical statuses and
the fake sets the fields its `state` rules read) and cancel rules from `cancel`; the file link is put at
`file_link` and error messages at `error_messages`. So a new job API with a profile is simulated
with no code change. What a profile cannot say is read from the API's typed models where the
package has them, else from `SHAPES` (an `ApiShape` per API; unknown APIs get the defaults):

- the create response holds the job in a one-element array (the exporter): detected when the typed
  create response model has a list at the envelope;
- error `status` as an integer (exporter, promotions) or a string (PCM): from the typed error model;
- list paging with `page[offset]`/`page[limit]` and `links` (promotions), and a `meta` with
  `results.total` (PCM, promotions): from the typed list response model;
- from `SHAPES`: the exporter's 202 on create, its bare 404 error object and nine-digit timestamps;
  promotions' `errors` given as one object and its `promotion_id` field; PCM's job error type.

Lifecycle
---------
Each job follows a status script, `("pending", "running", "succeeded")` unless you give one. A job
stands at the first step when created; every later read of it (a get, or a list page holding it)
first moves it one step on, then answers; it stays at the last step. Steps are canonical statuses
(`"running"`, mapped to the API's own word) or the API's own words (`"started"`); wrap any other
word in `Raw(...)` to send a status the profile does not know. `server.advance()` moves jobs by hand
(with `auto_advance=False` only it does). A cancel goes to the API's `cancelling` word when it has
one (the next read then shows `cancelled`), else straight to `cancelled`; a cancel that removes the
job (a DELETE) is answered 204 and the job is gone (a later read is a 404); a job in a state its
profile cannot cancel gets a 422, and an API without a cancel endpoint has no such route (404). A
failed job reports its `errors` in its `error` field and/or on its errors endpoint, as its profile
says. A creator that takes a form or multipart body accepts that body (and answers 415 to another
media type); the job's kind and script then come from `script_next`. A succeeded job's result files are served from memory on a separate storage origin
(`storage_url`), which rejects requests that carry an `Authorization` header, as pre-signed storage
links do.

Faults and checks
-----------------
`fail_next(429, retry_after=2)` answers with an error status, `disconnect_next()` fails before the
request arrives (`httpx.ConnectError` in memory; on a socket the connection is closed unanswered),
`garble_next()` sends a malformed body, `cut_next()` breaks the body off part way (a reset, or a
short body with the full `Content-Length`), `stall_next(seconds)` answers too late (in memory it
raises `httpx.ReadTimeout` at once). Each takes `times` and can be limited to an `api`,
`operation` (`create`, `list`, `get`, `cancel`, `errors`, `file`, `download`, `token`), `method` or
URL `path` (a glob). With `token=` set the API answers 401 unless that bearer token is sent; with
`client_credentials=` it also serves `POST /oauth/access_token`. Every request is recorded in
`server.requests`.
"""

# `Operation` and `FaultKind` (re-exported with `as`) type the fault methods' arguments: importable
# from here as they always were, though not in `__all__`.
from ._api import Raw
from ._faults import FaultKind as FaultKind
from ._live import LiveServer
from ._routes import Operation as Operation
from ._routes import RecordedRequest
from ._server import FakeJobServer
from ._shapes import SHAPES, ApiShape
from ._state import FakeJob, VirtualClock

__all__ = [
    "SHAPES",
    "ApiShape",
    "FakeJob",
    "FakeJobServer",
    "LiveServer",
    "Raw",
    "RecordedRequest",
    "VirtualClock",
]
