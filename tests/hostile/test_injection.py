"""Spec text never becomes code, and Jinja never evaluates it.

Every text field of a spec (titles, versions, descriptions, summaries, enum values, consts, property
and parameter names, operationIds, server URLs, paths, tags, examples, defaults, the spec's file name)
carries payloads that try to close a docstring or a string literal, break out of a comment line, and
run code that leaves a canary (an environment variable, a file). Each field also carries Jinja syntax
tagged with the field's name. The generated package must:
- tokenize so that every payload character sits inside a string or a comment, never in code;
- import (every generated module runs) without the canary appearing;
- show the Jinja text verbatim, never evaluated (`{{ 7*7 }}` stays, `49` does not appear).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tokenize
from pathlib import Path
from typing import Any

import pytest

from . import support

CANARY_FILE = Path(f"/tmp/jobgen-canary-{os.getpid()}")
CODE = [
    '"""; import os; os.environ["JOBGEN_CANARY"] = "docstring"; """',
    "'''; __import__('os').environ.__setitem__('JOBGEN_CANARY', 'single'); '''",
    '"); __import__("os").environ.__setitem__("JOBGEN_CANARY", "string"); ("',
    "' + __import__('os').system('touch " + str(CANARY_FILE) + "') + '",
    '\\"); __import__("os").environ.__setitem__("JOBGEN_CANARY", "escape") #',
    "\n__import__('os').environ.__setitem__('JOBGEN_CANARY', 'newline')\n",
    "\r__import__('os').environ.__setitem__('JOBGEN_CANARY', 'cr')\r",
    "\x00\x1b[2J\u2028__import__('os').environ.__setitem__('JOBGEN_CANARY', 'ls')\u2028",
    "\\N{BULLET} \\x41 \\u0041 \\",
]


def jinja(field: str) -> str:
    """Template syntax that, evaluated, would leave `49<field>` or `ab<field>`."""
    return (
        f"{{{{ 7*7 }}}}<{field}> {{% for x in 'ab' %}}{{{{ x }}}}{{% endfor %}}<{field}> {{# c #}}"
    )


def text(field: str) -> str:
    return " ".join(CODE) + " " + jinja(field)


def hostile_spec() -> dict[str, Any]:
    enum = [text("enum"), text("enum2"), "plain"]
    prop_schema: dict[str, Any] = {
        "type": "string",
        "title": text("property-title"),
        "description": text("property-description"),
        "default": text("default"),
        "example": text("example"),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": text("title"),
            "version": text("version"),
            "description": text("api-description"),
        },
        "servers": [
            {
                # (Through a variable: a URL written with this text is malformed and left out.)
                "url": "https://api.example.com/{base}",
                "variables": {"base": {"default": text("server-url")}},
                "description": text("server-description"),
            }
        ],
        "tags": [{"name": text("tag"), "description": text("tag-description")}],
        "paths": {
            "/things/" + text("path").replace("{", "(").replace("}", ")") + "/{thing_id}": {
                "post": {
                    "operationId": text("operation-id"),
                    "summary": text("summary"),
                    "description": text("operation-description"),
                    "tags": [text("tag")],
                    "parameters": [
                        {
                            "name": "thing_id",
                            "in": "path",
                            "required": True,
                            "description": text("path-param"),
                            "schema": {"type": "string"},
                        },
                        {
                            "name": text("query-name"),
                            "in": "query",
                            "description": text("query-description"),
                            "schema": {"type": "string", "enum": enum},
                        },
                        {"name": text("header-name"), "in": "header", "schema": {"type": "string"}},
                        {"name": text("cookie-name"), "in": "cookie", "schema": {"type": "string"}},
                    ],
                    "requestBody": {
                        "description": text("body-description"),
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        text("part-name"): {
                                            "type": "string",
                                            "description": text("part-description"),
                                        },
                                        "file": {"type": "string", "format": "binary"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": text("response-description"),
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "$ref": "#/components/schemas/"
                                        + text("schema-name").replace("~", "~0").replace("/", "~1")
                                    },
                                    "example": {"a": text("response-example")},
                                }
                            },
                        },
                        "default": {"description": text("error-description")},
                    },
                }
            },
            "/list": {
                "get": {
                    "operationId": "listThings",
                    "tags": [text("tag")],
                    "parameters": [
                        {"name": "page[offset]", "in": "query", "schema": {"type": "integer"}},
                        {"name": "page[limit]", "in": "query", "schema": {"type": "integer"}},
                    ],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "data": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "description": text("item-description"),
                                                    "properties": {
                                                        text("item-property"): prop_schema
                                                    },
                                                },
                                            }
                                        },
                                    }
                                }
                            },
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": {
                text("schema-name"): {
                    "type": "object",
                    "title": text("schema-title"),
                    "description": text("schema-description"),
                    "example": {text("schema-example-key"): text("schema-example")},
                    "required": [text("property")],
                    "properties": {
                        text("property"): prop_schema,
                        "mode": {
                            "type": "string",
                            "enum": enum,
                            "description": text("enum-description"),
                        },
                        "level": {"type": "integer", "enum": [1, 2, 3]},
                        "fixed": {"const": text("const")},
                        "extra": {
                            "type": "object",
                            "additionalProperties": {
                                "type": "string",
                                "description": text("map-description"),
                            },
                        },
                    },
                }
            }
        },
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], str]:
    folder = tmp_path_factory.mktemp("inject")
    import json

    name = "evil\"\"\"name'''{{ 7*7 }}<file-name>"
    spec = folder / f"{name}.json"
    spec.write_text(json.dumps(hostile_spec(), ensure_ascii=False), encoding="utf-8")
    result = support.generate([spec], "inj_pkg")
    out = folder / "out"
    support.write_files(result.files, out)
    assert result.project is not None
    return out, result.files, result.project.apis[0].name


def test_every_payload_character_stays_inside_strings_and_comments(
    generated: tuple[Path, dict[str, str], str],
) -> None:
    _, files, _ = generated
    templated = support.templated_files(files, "inj_pkg")
    assert support.syntax_errors(templated) == []
    # (Sanitised names keep letters of the payload, such as JOBGEN_CANARY, but no quotes or dunders.)
    dangerous = (
        "__import__",
        "__setitem__",
        "7*7",
        "{% endfor %}",
        "'JOBGEN_CANARY'",
        '"JOBGEN_CANARY"',
    )
    seen = set()
    for path, source in templated.items():
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            hits = [d for d in dangerous if d in token.string]
            if hits:
                seen.update(hits)
                assert token.type in (tokenize.STRING, tokenize.COMMENT), (
                    f"{path}:{token.start}: {token.string[:120]!r}"
                )
    assert seen == set(dangerous)  # the payloads did reach the code, as text


def test_importing_the_package_runs_no_payload(
    generated: tuple[Path, dict[str, str], str], runtime_status: tuple[bool, str]
) -> None:
    out, files, api = generated
    os.environ.pop("JOBGEN_CANARY", None)
    CANARY_FILE.unlink(missing_ok=True)
    with support.imported(
        out, "inj_pkg", files, [f"{api}.models", f"{api}.resources", "_servers", "_client"]
    ) as imported:
        assert "JOBGEN_CANARY" not in os.environ
        assert not CANARY_FILE.exists()
        models = imported.modules[f"{api}.models"]
        enum_values = {
            m.value
            for e in (getattr(models, n) for n in models.__all__)
            if isinstance(e, type) and hasattr(e, "__members__")
            for m in e
        }
        assert text("enum") in enum_values and text("enum2") in enum_values  # the values, exactly
        servers = imported.modules["_servers"].SERVERS
        assert any(
            url.endswith(text("server-url").rstrip()) or text("server-url").strip() in url
            for url in servers.values()
        )
        if not imported.stubbed:
            client = imported.package.Client(auth="t", base_url="https://example.com")
            assert getattr(client, api) is not None
    assert "JOBGEN_CANARY" not in os.environ and not CANARY_FILE.exists()


def test_a_fresh_interpreter_imports_it_without_running_a_payload(
    generated: tuple[Path, dict[str, str], str], runtime_status: tuple[bool, str]
) -> None:
    if not runtime_status[0]:
        pytest.skip(f"the runtime does not import yet: {runtime_status[1]}")
    out, _, api = generated
    CANARY_FILE.unlink(missing_ok=True)
    code = (
        "import os, importlib; import inj_pkg; "
        f"importlib.import_module('inj_pkg.{api}.models'); importlib.import_module('inj_pkg.{api}.resources'); "
        "print(os.environ.get('JOBGEN_CANARY', 'clean'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "clean"
    assert not CANARY_FILE.exists()


FIELDS_SHOWN_VERBATIM = [
    "title",
    "version",
    "summary",
    "operation-description",
    "schema-description",
    "property-description",
    "enum",
    "enum2",
    "const",
    "server-url",
    "file-name",
    "item-description",
]
ALL_FIELDS = sorted(
    {
        *FIELDS_SHOWN_VERBATIM,
        "api-description",
        "default",
        "path",
        "server-description",
        "tag",
        "tag-description",
        "operation-id",
        "path-param",
        "query-name",
        "query-description",
        "header-name",
        "cookie-name",
        "body-description",
        "part-name",
        "part-description",
        "response-description",
        "response-example",
        "error-description",
        "schema-name",
        "schema-title",
        "schema-example-key",
        "schema-example",
        "property",
        "property-title",
        "example",
        "enum-description",
        "map-description",
        "item-property",
    }
)


@pytest.mark.parametrize("field", ALL_FIELDS)
def test_jinja_syntax_in_spec_text_is_never_evaluated(
    generated: tuple[Path, dict[str, str], str], field: str
) -> None:
    _, files, _ = generated
    # Docstrings wrap long lines: compare without whitespace.
    everything = re.sub(r"\s+", "", "\n".join(files.values()))
    assert f"49<{field}>" not in everything
    assert f"ab<{field}>" not in everything
    if field in FIELDS_SHOWN_VERBATIM:
        assert f"{{{{7*7}}}}<{field}>" in everything
        if field != "file-name":  # the file name carries only the first part
            assert f"{{%forxin'ab'%}}{{{{x}}}}{{%endfor%}}<{field}>" in everything


def test_jinja_renders_spec_text_as_data_even_in_the_package_name_and_version(
    tmp_path: Path, good_spec_path: Path
) -> None:
    """The package version goes through the same filters. A version from [tool.jobgen] or from
    the API surface file must be a PEP 440 version anyway; rendering does not count on it."""
    import dataclasses
    import shutil
    import tomllib

    from generator.config import Config
    from generator.pipeline import build_project
    from generator.render import render_project

    version = '1.0"""{{ 7*7 }}\\"'
    project, _ = build_project(Config((good_spec_path,), tmp_path / "out", "ver_pkg"))
    files = render_project(dataclasses.replace(project, version=version))
    namespace: dict[str, Any] = {}
    exec(compile(files["ver_pkg/_version.py"], "_version.py", "exec"), namespace)
    assert namespace["__version__"] == version
    assert tomllib.loads(files["pyproject.toml"])["project"]["version"] == version

    config = tmp_path / "pyproject.toml"
    shutil.copy(good_spec_path, tmp_path / "good.json")
    config.write_text(
        f'[tool.jobgen]\nspecs = ["good.json"]\noutput = "out"\npackage = "ver_pkg"\nversion = \'{version}\'\n'
    )
    result = support.invoke("generate", "--config", config, "--no-cache", "-q")
    assert result.exit_code == 2 and "is not a version such as" in result.stderr
    config.write_text(config.read_text().replace(f"version = '{version}'\n", ""))
    assert support.invoke("generate", "--config", config, "--no-cache", "-q").exit_code == 0
    surface = tmp_path / "out" / "api-surface.json"
    surface.write_text(
        surface.read_text().replace('"version": "0.1.0"', f'"version": {json.dumps(version)}', 1)
    )
    result = support.invoke("generate", "--config", config, "--no-cache")
    assert result.exit_code == 0 and "the API surface file is damaged" in result.stderr
    assert '__version__ = "0.1.0"' in (tmp_path / "out" / "ver_pkg" / "_version.py").read_text()


def test_broken_rendered_code_is_reported_with_its_file_and_position() -> None:
    """If a template ever renders code Python cannot parse, the message says where (not just an exit code)."""
    from generator.diagnostics import InputError
    from generator.format import format_files

    with pytest.raises(InputError) as caught:
        format_files({"pkg/__init__.py": "", "pkg/broken.py": 'x = """never closed\n'})
    message = caught.value.diagnostic.message
    assert "pkg/broken.py:1" in message and "\n" not in message
