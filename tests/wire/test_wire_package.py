"""The package generated from every construct spec is lint-clean and `mypy --strict` clean, and so
is code that calls it the way the wire tests do (one mypy run: it is slow)."""

from __future__ import annotations

import subprocess
import sys

from .conftest import PACKAGE, Build

# Calls a user writes, type-checked against the generated signatures: files and arrays of them,
# tuples, a union of success types, a documented error model, defaults, several media types.
_TYPED_USE = f"""
from __future__ import annotations

import io

from {PACKAGE} import APIStatusError, Client
from {PACKAGE}.discriminators import models as pets
from {PACKAGE}.responses import models as responses
from {PACKAGE}.tuples import models as tuples

client = Client(auth="token")
client.multipart.imports.import_products(
    file=("a.csv", io.BytesIO(b"a")), attachments=[b"x", ("y.txt", b"y")], logo=b"png"
)
client.form.tokens.create_token(grant_type="g", ids=[1, 2])
client.content_types.products.create_product(body="a,b", content_type="text/csv")
client.content_types.products.put_blob("b", body=io.BytesIO(b"blob"))
data: bytes = client.responses.exports.download_export("e")
report: responses.Report | str = client.responses.exports.get_report("r")
started = client.responses.exports.start_job()
if isinstance(started, responses.Queued):
    position: int = started.position
shape = tuples.Shape(pair=(1, "a"), header=("h", 1, 2.5))
pair: tuple[int, str] | None = shape.pair
pet: pets.Cat | pets.Dog = client.discriminators.pets.list_pets()[0]
limit: int = 25
client.defaults.items.list_items(limit=limit, offset=2)
try:
    client.responses.exports.start_job()
except APIStatusError as error:
    if isinstance(error.parsed, responses.Busy):
        wait: int = error.parsed.retry_in
"""


def test_the_construct_package_is_clean_and_strictly_typed(build: Build) -> None:
    for command in (["ruff", "check", PACKAGE], ["ruff", "format", "--check", PACKAGE]):
        done = subprocess.run(
            [sys.executable, "-m", *command], cwd=build.folder, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout
    (build.folder / "use.py").write_text(_TYPED_USE, encoding="utf-8")
    done = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--strict", "--no-incremental"),
            *("--cache-dir", str(build.folder / ".mypy_cache"), PACKAGE, "use.py"),
        ],
        cwd=build.folder,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-5000:]
