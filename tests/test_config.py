"""`[tool.jobgen]`: every key documented, APIs named in the config, a missing config explained."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.config import _KEYS, load_config

from .conftest import ROOT, write_spec

SPEC = """
openapi: 3.1.0
info: {title: Tiny, version: '1'}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        '204': {description: none}
"""


def jobgen(folder: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_every_key_is_in_the_readmes_table_and_no_other() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("| key | what it holds | default |", 1)[1].split("\n\n", 1)[0]
    documented = re.findall(r"^\| `([a-z_]+)` \|", table, re.M)
    assert sorted(documented) == sorted(_KEYS)


def test_an_api_is_named_in_the_config_or_by_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_spec(tmp_path, SPEC, "public_openapi.yaml")
    write_spec(tmp_path, SPEC, "pcm.yaml")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.jobgen]\n"
        'specs = [{path = "public_openapi.yaml", name = "subscriptions"}, "pcm.yaml"]\n'
        'output = "out"\npackage = "shop"\n',
        encoding="utf-8",
    )
    code, _, stderr = jobgen(tmp_path, "generate", monkeypatch=monkeypatch)
    assert code == 0, stderr
    assert sorted(p.name for p in (tmp_path / "out" / "shop").iterdir() if p.is_dir()) == [
        "pcm",
        "subscriptions",
        "testing",
    ]
    client = (tmp_path / "out" / "shop" / "_client.py").read_text()
    assert "self.subscriptions = " in client and "public_openapi" not in client


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        ('[{path = "a.yaml", name = "Not A Name"}]', "'Not A Name' cannot name an API"),
        ('[{path = "a.yaml", name = "class"}]', "'class' cannot name an API"),
        ('[{path = "a.yaml"}]', 'must be a path or a table {path = "...", name = "..."}'),
        (
            '[{path = "a.yaml", name = "x"}, {path = "b.yaml", name = "x"}]',
            "both name their API 'x'",
        ),
        ('["x.yaml", {path = "b.yaml", name = "x"}]', "file stem names its API 'x'"),
        ("[]", "must be a non-empty list"),
    ],
    ids=["not-an-identifier", "keyword", "no-name", "twice", "a-stem-takes-it", "empty"],
)
def test_bad_spec_entries_are_located_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, specs: str, message: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.jobgen]\nspecs = {specs}\noutput = "out"\npackage = "p"\n', encoding="utf-8"
    )
    code, _, stderr = jobgen(tmp_path, "generate", monkeypatch=monkeypatch)
    assert code == 2
    [line] = stderr.splitlines()
    assert line.startswith("jobgen: error: pyproject.toml:2 #/tool/jobgen/specs: "), line
    assert message in line


@pytest.mark.parametrize("content", [None, "[project]\nname = 'x'\n"], ids=["no-file", "no-table"])
def test_a_missing_config_says_how_to_write_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str | None
) -> None:
    if content is not None:
        (tmp_path / "pyproject.toml").write_text(content, encoding="utf-8")
    for command in ("generate", "check", "validate"):
        code, _, stderr = jobgen(tmp_path, command, monkeypatch=monkeypatch)
        assert code == 2
        [line] = stderr.splitlines()
        assert line.startswith("jobgen: error: pyproject.toml: ")
        assert "[tool.jobgen] table" in line
        assert 'specs = ["specs/api.yaml"], output = "generated", package = "my_client"' in line
        assert "jobgen generate SPEC... --output DIR --package NAME" in line


def test_a_pinned_version_must_be_a_version(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(
        '[tool.jobgen]\nspecs = ["a.yaml"]\noutput = "o"\npackage = "p"\nversion = "next"\n'
    )
    with pytest.raises(Exception, match=r"`version` 'next' is not a version"):
        load_config(config)
    config.write_text(config.read_text().replace('"next"', '"1.2.0rc1"'))
    assert load_config(config).version == "1.2.0rc1"
