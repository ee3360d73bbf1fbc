"""End to end on the seed corpus: the files `kg build` writes, and that they are reproducible."""

from __future__ import annotations

import sys

import networkx as nx
import pytest
import rdflib

import kg
from kg.export.json import read_graph

from .helpers import SEEDS

pytestmark = pytest.mark.slow  # the whole module works on the seed build

FILES = ("graph.json", "graph.ttl", "graph.html")


def test_seed_build_writes_the_exports(seed_build):
    result, out = seed_build
    assert result.papers == 361
    assert result.entities > 500
    for name in FILES:
        assert (out / name).stat().st_size > 1000, name
    assert (out / "store").is_dir()
    assert not list(out.glob(".*.tmp")), "no temp files are left behind"


@pytest.mark.skipif(sys.platform == "win32", reason="Windows has no getrusage: BuildResult.memory stays empty")
def test_build_reports_peak_memory_after_every_stage(seed_build):
    result, _ = seed_build
    stages = list(result.memory)
    assert stages[:3] == ["read", "extract", "graph"], stages  # the graph stage includes communities
    assert {"export_json", "export_rdf"} <= set(stages)
    assert all(b >= a > 0 for a, b in zip(result.memory.values(), list(result.memory.values())[1:]))


def test_graph_json_reloads_to_the_same_graph(seed_build):
    result, out = seed_build
    H = read_graph(out / "graph.json")
    assert nx.utils.graphs_equal(result.graph, H)
    assert dict(result.graph.nodes(data=True)) == dict(H.nodes(data=True))


def test_graph_ttl_parses(seed_build):
    _, out = seed_build
    g = rdflib.Graph().parse(out / "graph.ttl", format="turtle")
    assert len(g) > 10_000


def test_every_edge_evidence_points_into_its_paper(seed_build):
    G = seed_build[0].graph
    checked = 0
    for u, v, k, data in G.edges(keys=True, data=True):
        if k != "mention":
            continue
        paper = G.nodes[u]
        for ev in data["evidence"]:
            assert paper[ev["field"]][ev["start"]:ev["end"]] == ev["text"]
            checked += 1
    assert checked > 1000


def test_two_builds_are_byte_identical(seed_build, tmp_path):
    _, first = seed_build
    kg.build([SEEDS], tmp_path, store=False)
    for name in FILES:
        assert (first / name).read_bytes() == (tmp_path / name).read_bytes(), name
