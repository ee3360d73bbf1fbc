"""Shared fixtures: a real build of the seed corpus, made once per test session (slow tests only).

Helpers and hand-made corpora are in tests/helpers.py.
"""

from __future__ import annotations

import pytest

import kg

from .helpers import SEEDS, require

__all__ = ["require"]  # tests/test_push*.py import require from here; its home is tests/helpers.py


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """`kg.build` of seeds/ with the shipped model, into a temp folder (runs once; tests using it are slow)."""

    out = tmp_path_factory.mktemp("seed-build")
    result = kg.build([SEEDS], out)
    return result, out


@pytest.fixture(scope="session")
def seed_graph(seed_build):

    return kg.load(seed_build[1])


def pytest_collection_modifyitems(config, items):
    """Keep `-m "not slow"` fast: browser and server tests are slow too; seed-build tests must say so."""
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("server"):
            item.add_marker(pytest.mark.slow)
        if {"seed_build", "seed_graph"} & set(getattr(item, "fixturenames", ())) and not item.get_closest_marker("slow"):
            raise pytest.UsageError(f"{item.nodeid} uses the seed build: mark it @pytest.mark.slow")


@pytest.fixture(scope="module")
def G():
    """The hand-made hostile corpus as a graph (tests/helpers.py corpus()); modules may override it."""
    from kg.graph import build_graph

    from .helpers import corpus

    return build_graph(corpus())


@pytest.fixture(scope="module")
def exports(G, tmp_path_factory):
    """An export folder (graph.json, graph.ttl) of G, as `kg push` reads one."""
    from .helpers import push_exports

    return push_exports(G, tmp_path_factory.mktemp("exports"))
