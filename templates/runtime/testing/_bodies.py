"""The JSON the fake answers: values set at a profile's dotted paths, the job objects built that way,
and the signed storage links of result files."""

from __future__ import annotations

import copy
import hashlib
import urllib.parse
from collections.abc import Sequence
from typing import Any, cast

from .._job_model import JobStatus
from ._api import SimulatedApi
from ._state import FakeJob


def put(node: dict[str, Any], path: str, value: object) -> None:
    """Set `value` at dotted `path` in `node`, creating objects on the way.

    A segment ending in `[]` makes an array: `value` must then be a sequence, one element per item
    (`data[].attributes.message` with `["a", "b"]` gives two objects, each with its message).
    """
    head, _, rest = path.partition(".")
    fan_out = head.endswith("[]")
    key = head[:-2] if fan_out else head
    if not key:
        raise ValueError(f"cannot build a value at path {path!r}")
    if not fan_out:
        if not rest:
            node[key] = value
            return
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        put(child, rest, value)
        return
    items = list(cast(Sequence[object], value))
    if not rest:
        node[key] = items
        return
    built: list[dict[str, Any]] = []
    for item in items:
        element: dict[str, Any] = {}
        put(element, rest, item)
        built.append(element)
    node[key] = built


def wrap(path: str, value: object) -> Any:
    """`value` placed at `path` of a new body (`""`: the value is the body)."""
    if not path:
        return value
    body: dict[str, Any] = {}
    put(body, path, value)
    return body


def job_object(spec: SimulatedApi, job: FakeJob, storage_url: str) -> dict[str, Any]:
    """The job object the API answers for `job` (`spec`: the job's API), links on `storage_url`."""
    profile = spec.profile
    paths = {name: path for name in profile.fields if (path := profile.path(name)) is not None}
    obj = copy.deepcopy(job.fields)
    if profile.resource_type is not None:
        obj["type"] = profile.resource_type
    for parent, key in spec.shape.parent_fields.items():
        if parent in job.parents:
            obj[key] = job.parents[parent]
    put(obj, paths["id"], job.id)
    if "kind" in paths and job.kind is not None:
        put(obj, paths["kind"], job.kind)
    if "status" in paths:
        put(obj, paths["status"], job.raw_status)
    else:
        _show_state(spec, job, obj)
    moments = {
        "created_at": job.created_at,
        "updated_at": job.updated_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }
    for name, moment in moments.items():
        if name in paths:
            put(obj, paths[name], None if moment is None else spec.timestamp(moment))
    if "error" in paths and job.status is JobStatus.FAILED and job.errors:
        put(obj, paths["error"], job.errors[0])
    links_path = paths.get("result_links")
    if links_path is not None:
        succeeded = job.status is JobStatus.SUCCEEDED
        links = [file_url(job, name, storage_url) for name in job.files] if succeeded else []
        if "[]" not in links_path:
            put(obj, links_path, links[0] if links else "")
        elif succeeded:
            put(obj, links_path, links)
    return obj


def _show_state(spec: SimulatedApi, job: FakeJob, obj: dict[str, Any]) -> None:
    """Set the fields that make the family's `state` rules read the job's scripted status: the
    first rule for that status holds (its path set, or its value), and the rules before it do not
    (their `absent` paths set). An `errors` rule holds through the errors endpoint, which lists the
    job's errors when it has failed."""
    rules = spec.profile.state
    wanted = job.status
    chosen = next((i for i, r in enumerate(rules) if r.status is wanted), None)
    if chosen is None:
        return
    moment = spec.timestamp(job.updated_at)
    for rule in rules[:chosen]:
        condition = rule.condition
        if condition is not None and condition.kind == "absent" and condition.path:
            put(obj, condition.path, moment)
    condition = rules[chosen].condition
    if condition is None or not condition.path:
        return
    if condition.kind == "present":
        put(obj, condition.path, moment)
    elif condition.kind == "equals" and condition.values:
        put(obj, condition.path, condition.values[0])


def file_url(job: FakeJob, name: str, storage_url: str) -> str:
    quoted = urllib.parse.quote(name, safe="")
    signed = signature(job.api, job.id, name)
    return f"{storage_url}/{job.api}/{job.id}/{quoted}?signature={signed}"


def signature(api: str, job_id: str, name: str) -> str:
    return hashlib.sha256(f"{api}/{job_id}/{name}".encode()).hexdigest()[:16]
