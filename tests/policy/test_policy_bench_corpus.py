"""The throughput bench's corpus keeps its decisions and reasons.

``data/bench_corpus_2000.json`` holds what the engine answered for each of the
first 2,000 requests of ``bench.policy_throughput.build_corpus`` (its default
seed), recorded before the evaluator was tuned for that bench: optimisations
must not change a decision or a reason. The file also holds a fingerprint of
the corpus, so a change to the bench's generator fails loudly here instead of
reading as an engine regression.

Regenerate only from an engine known to be right (the answers become the
reference)::

    .venv/bin/python tests/policy/test_policy_bench_corpus.py --write
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data" / "bench_corpus_2000.json"
REQUESTS = 2000

# The bench is a top-level package of the repository, not of the installed
# distribution: the test runner does not put the repository root on the path.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.policy_throughput import ACCOUNT, build_corpus  # noqa: E402

from chaincut.policy import (  # noqa: E402
    PolicyKind,
    PolicySet,
    Request,
    evaluate,
    parse_policy,
)


def _fingerprint(corpus: dict[str, Any]) -> str:
    text = json.dumps(corpus, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _answers(corpus: dict[str, Any], passes: int = 1) -> list[dict[str, object]]:
    """Each request's evaluation, as ``Evaluation.to_dict`` gives it.

    Built as the bench builds it: each policy parsed once, one ``PolicySet``
    per (principal, resource policy), reused across requests and passes so
    the plan and memo caches answer as in the bench's warm passes. The last
    pass's answers are returned.
    """
    managed = {n: parse_policy(d, name=n) for n, d in corpus["policies"].items()}
    boundaries = {
        n: parse_policy(d, name=n, kind=PolicyKind.BOUNDARY)
        for n, d in corpus["boundaries"].items()
    }
    scps = tuple(
        tuple(parse_policy(d, name=f"scp{n}", kind=PolicyKind.SCP) for d in level)
        for n, level in enumerate(corpus["scp_levels"])
    )
    resources = {
        n: parse_policy(d, name=n, kind=PolicyKind.RESOURCE)
        for n, d in corpus["resource_policies"].items()
    }
    sets: dict[tuple[int, str | None], PolicySet] = {}
    answers: list[dict[str, object]] = []
    for _ in range(passes):
        answers = []
        for case in corpus["requests"]:
            who, key = case["principal"], case["resource_policy"]
            principal = corpus["principals"][who]
            policies = sets.get((who, key))
            if policies is None:
                boundary = principal["boundary"]
                policies = PolicySet(
                    identity=tuple(managed[n] for n in principal["identity_policies"]),
                    resource=None if key is None else resources[key],
                    boundaries=() if boundary is None else (boundaries[boundary],),
                    scp_levels=scps,
                )
                sets[(who, key)] = policies
            request = Request(
                principal["arn"],
                case["action"],
                case["resource"],
                resource_account=ACCOUNT,
                context=case["context"],
            )
            answers.append(evaluate(request, policies).to_dict())
    return answers


def test_bench_corpus_decisions_and_reasons_unchanged() -> None:
    recorded = json.loads(DATA.read_text(encoding="utf-8"))
    corpus = build_corpus(requests=REQUESTS)
    assert recorded["corpus_sha256"] == _fingerprint(corpus), (
        "bench.policy_throughput.build_corpus changed: regenerate "
        f"{DATA.name} (see this module's docstring) from a trusted engine"
    )

    # Two passes: the second answers from warm caches, as the bench measures.
    answers = _answers(corpus, passes=2)

    assert len(answers) == len(recorded["answers"])
    for index, (got, want) in enumerate(zip(answers, recorded["answers"], strict=True)):
        assert got == want, (index, corpus["requests"][index])


def _write() -> None:
    corpus = build_corpus(requests=REQUESTS)
    answers = _answers(corpus)
    # One answer per line, so a change reads as a short diff.
    lines = ",\n".join(json.dumps(answer, sort_keys=True) for answer in answers)
    DATA.parent.mkdir(exist_ok=True)
    DATA.write_text(
        f'{{"corpus_sha256": "{_fingerprint(corpus)}",\n'
        f'"requests": {REQUESTS},\n"answers": [\n{lines}\n]}}\n',
        encoding="utf-8",
    )


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(f"usage: {sys.argv[0]} --write")
    _write()
