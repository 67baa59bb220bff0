"""How many of `jobgen profiles suggest`'s guesses the built-in profiles agree with.

    python bench/suggest_accuracy.py [SPEC...]     (default: the published specs beside the project)

Each draft is compared with the built-in family that reads the same jobs (the same API and the same
`get` or `list` operation), fact by fact: the job parameter, the envelope, the resource type, each
operation (list, get, errors, logs, file, every creator), cancel and the words it is accepted in,
`file_link`, `error_messages`, each field's path and each status word's canonical status. A fact
counts once whether one side or both give it; it is right when both give the same value. The
built-ins were written by hand from the specs, so they stand for the right answer.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import ir  # noqa: E402
from generator.jobs_vocabulary import status_key  # noqa: E402
from generator.normalise.suggest import Draft, draft_profile  # noqa: E402
from generator.pipeline import ad_hoc_config, build_project  # noqa: E402

REAL_SPECS = Path(os.environ.get("JOBGEN_REAL_SPECS", ROOT.parent / "shared" / "real-specs"))
PUBLISHED = ("exporter", "pim", "promotions", "subscriptions", "pricebooks")


@dataclass(frozen=True)
class Score:
    """One family: the facts both sides agree on, all the facts, and those they disagree on."""

    family: str
    right: int
    total: int
    wrong: tuple[str, ...]


def family_facts(family: ir.JobFamily) -> dict[str, str]:
    facts = {
        "job_param": family.job_param,
        "envelope": family.envelope,
        "resource_type": family.resource_type or "",
    }
    for op in family.operations:
        route = f"{op.method} {op.path}"
        facts[f"creator {route}" if op.role == "create" else op.role] = route
    if family.cancel is not None:
        cancel = family.cancel.operation
        facts["cancel"] = f"{cancel.method} {cancel.path}"
        facts["cancel from"] = ",".join(sorted(status_key(w) for w in family.cancel.from_statuses))
    facts["file_link"] = family.file_link or ""
    facts["error_messages"] = family.error_messages or ""
    for rule in family.fields:
        facts[f"field {rule.name}"] = rule.path
    for word in family.statuses:
        facts[f"status {status_key(word.word)}"] = word.status
    return {key: value for key, value in facts.items() if value}


def draft_facts(draft: Draft) -> dict[str, str]:
    facts = {
        "job_param": draft.job_param,
        "envelope": draft.envelope,
        "resource_type": draft.resource_type.value if draft.resource_type else "",
    }
    for route in draft.creators.values():
        facts[f"creator {route.value}"] = route.value
    facts.update(draft.operations)
    if draft.cancel is not None:
        facts["cancel"] = draft.cancel.value
        facts["cancel from"] = ",".join(sorted(status_key(w) for w in draft.cancel_from))
    facts["file_link"] = draft.file_link.value if draft.file_link else ""
    facts["error_messages"] = draft.error_messages.value if draft.error_messages else ""
    for name, value in draft.fields.items():
        facts[f"field {name}"] = value.value
    for canonical, words in draft.statuses.items():
        for word in words:
            facts[f"status {status_key(word.value)}"] = canonical
    return {key: value for key, value in facts.items() if value}


def measure(specs: list[Path]) -> list[Score]:
    """Draft profiles for `specs` and score each draft against the built-in family it describes."""
    _, drafts = draft_profile(tuple(str(spec) for spec in specs))
    project, _ = build_project(ad_hoc_config(tuple(map(str, specs)), "unused", "unused", (), False))
    families = [family for api in project.apis for family in api.jobs]
    scores = []
    for draft in drafts:
        reads = {draft.operations.get("get"), draft.operations.get("list")} - {None}
        builtin = next(
            (
                f
                for f in families
                if f.api == draft.api
                and reads & {f"{op.method} {op.path}" for op in f.operations if op.role != "create"}
            ),
            None,
        )
        if builtin is None:
            scores.append(Score(draft.name, 0, 1, ("no built-in family reads these jobs",)))
            continue
        expected, guessed = family_facts(builtin), draft_facts(draft)
        keys = sorted(set(expected) | set(guessed))
        wrong = tuple(
            f"{key}: built-in {expected.get(key, '-')!r}, draft {guessed.get(key, '-')!r}"
            for key in keys
            if expected.get(key) != guessed.get(key)
        )
        scores.append(Score(draft.name, len(keys) - len(wrong), len(keys), wrong))
    return scores


def main(argv: list[str]) -> int:
    specs = [Path(a) for a in argv] or [REAL_SPECS / f"{name}.yaml" for name in PUBLISHED]
    scores = measure(specs)
    right = sum(s.right for s in scores)
    total = sum(s.total for s in scores)
    print("| family | right | facts |")
    print("|---|---:|---:|")
    for score in scores:
        print(f"| {score.family} | {score.right} | {score.total} |")
    print(f"| all | {right} | {total} ({right / total:.0%}) |")
    for score in scores:
        for miss in score.wrong:
            print(f"- {score.family}: {miss}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
