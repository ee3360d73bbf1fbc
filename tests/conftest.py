"""Shared fixtures: a real build of the seed corpus, made once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip when a component is missing, but fail under CI=true, where everything must be installed."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"missing under CI=true: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """`kg.build` of seeds/ with the shipped model, into a temp folder (runs once)."""
    import kg

    out = tmp_path_factory.mktemp("seed-build")
    result = kg.build([SEEDS], out)
    return result, out


@pytest.fixture(scope="session")
def seed_graph(seed_build):
    import kg

    return kg.load(seed_build[1])


def top_entity(G) -> str:
    """Label of the entity in the most papers: a name every seed build has, whatever the model finds."""
    node = max((n for n, d in G.nodes(data=True) if d.get("kind") == "entity"),
               key=lambda n: (G.nodes[n]["papers"], n))
    return G.nodes[node]["label"]
