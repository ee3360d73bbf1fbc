"""The map of the field (issue 14): communities on the CLI, GraphML and GEXF exports."""

from __future__ import annotations

import json
import re

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.communities import assign_communities, detect_communities
from kg.errors import ArgumentError
from kg.export.graphml import tools_graph, write_tools_graph
from kg.graph import build_graph

from .helpers import foonet_corpus as corpus


def test_communities_are_seeded_and_numbered_by_size():
    G = build_graph(corpus())
    first = detect_communities(G)
    assert first == detect_communities(build_graph(corpus()))
    sizes = [list(first.values()).count(c) for c in sorted(set(first.values()))]
    assert sizes == sorted(sizes, reverse=True)
    with pytest.raises(ArgumentError):
        detect_communities(G, resolution=0)


def test_hostile_labels_stay_data():
    G = build_graph(corpus())
    for n, d in G.nodes(data=True):
        if d["kind"] == "entity":
            d["label"] = "<script>alert(1)</script>"
    assert "<script>" in assign_communities(G)[0].label  # plain text here; every page escapes it


@pytest.mark.slow
def test_cli_communities(seed_build):
    out = seed_build[1]
    res = CliRunner().invoke(cli, ["query", "communities", "-d", str(out), "--top", "3", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert [r["id"] for r in rows] == [0, 1, 2]
    assert rows[0]["size"] >= rows[1]["size"] and rows[0]["label"] and rows[0]["papers"]
    table = CliRunner().invoke(cli, ["query", "communities", "-d", str(out), "--top", "2"])
    assert table.exit_code == 0 and rows[1]["label"] in table.output


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_tool_exports_read_back(seed_build, tmp_path, fmt):
    result, out = seed_build
    G = result.graph
    target = tmp_path / f"g.{fmt}"
    res = CliRunner().invoke(cli, ["export", fmt, str(out), "-o", str(target)])
    assert res.exit_code == 0, res.output
    H = nx.read_graphml(target) if fmt == "graphml" else nx.read_gexf(target)
    assert H.number_of_nodes() == G.number_of_nodes() and H.number_of_edges() == G.number_of_edges()
    for n, d in G.nodes(data=True):
        h = H.nodes[n]
        assert h["type"] == (d.get("type") or "paper")
        if d["kind"] == "entity":
            assert h["community"] == d["community"] and h["papers"] == d["papers"]
    assert {d["kind"] for *_, d in H.edges(data=True)} >= {"mention", "co_occurs"}


def test_tool_export_is_deterministic_and_plain(tmp_path):
    G = build_graph(corpus())
    assign_communities(G)
    a = write_tools_graph(G, tmp_path / "a.graphml").read_bytes()
    b = write_tools_graph(G, tmp_path / "b.graphml").read_bytes()
    assert a == b
    for _, d in tools_graph(G).nodes(data=True):
        assert all(isinstance(v, (str, int)) for v in d.values())
    with pytest.raises(ArgumentError):
        write_tools_graph(G, tmp_path / "c.x", format="dot")


def _dated_graph():
    G = build_graph(corpus())
    G.nodes["P-1"]["date"] = "2019"
    G.nodes["P-2"]["date"] = "2023-01-05"
    return G


def test_years_and_trending():
    from kg.query import KnowledgeGraph
    from kg.trends import assign_years, paper_years

    G = _dated_graph()
    assign_years(G)
    assert paper_years(G) == {"P-1": 2019, "P-2": 2023}
    ent = next(n for n, d in G.nodes(data=True) if d["kind"] == "entity" and d["papers"] == 2)
    assert (G.nodes[ent]["first_year"], G.nodes[ent]["last_year"]) == (2019, 2023)
    assert G.nodes[ent]["years"] == {"2019": 1, "2023": 1}
    g = KnowledgeGraph(G)
    hits = g.trending(since=2021, top=3)
    assert hits == sorted(hits, key=lambda t: -t.growth)
    assert g.trending(since=2021, top=50) == g.trending(since=2021, top=50)
    with pytest.raises(ArgumentError):
        g.trending(since="2021")
    with pytest.raises(ArgumentError):
        g.trending(top=0)


@pytest.mark.slow
def test_no_years_are_invented(seed_graph):
    G = seed_graph.graph
    assert seed_graph.trending() == []
    assert not any("first_year" in d for _, d in G.nodes(data=True))


def test_cli_trending(tmp_path):
    from kg.export.json import write_graph

    write_graph(_dated_graph(), tmp_path / "graph.json")
    res = CliRunner().invoke(cli, ["query", "trending", "-d", str(tmp_path), "--since", "2021", "--json",
                                   "--top", "50"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert rows and all(r["recent"] + r["earlier"] >= 2 for r in rows)


# -- kg report -------------------------------------------------------------------


@pytest.mark.slow
def test_build_writes_the_report_and_it_opens_offline(seed_build):
    import os

    from .browser import launch, missing_reason, open_offline

    result, out = seed_build
    path = out / "report.html"
    assert result.files["report.html"] == path
    text = path.read_text(encoding="utf-8")
    assert "<script" not in text and "http-equiv=\"Content-Security-Policy\"" in text
    assert "Communities" in text and "<svg" in text
    reason = missing_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with launch() as browser, open_offline(browser, path) as (page, record):
        assert page.locator("h1").inner_text() == "kg report"
        assert page.locator("svg.chart").count() >= 4
        assert record.requests == [] and record.console_errors == [] and record.page_errors == []


@pytest.mark.slow
def test_cli_report_md_and_html(seed_build, tmp_path):
    out = seed_build[1]
    md = tmp_path / "r.md"
    res = CliRunner().invoke(cli, ["report", "-d", str(out), "-f", "md", "-o", str(md)])
    assert res.exit_code == 0, res.output
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# kg report") and "## Communities" in text and "no trends" in text
    again = tmp_path / "r2.md"
    CliRunner().invoke(cli, ["report", "-d", str(out), "-f", "md", "-o", str(again)])
    assert again.read_bytes() == md.read_bytes()


HOSTILE = '<img src=x onerror=alert(1)> *bold* [x](javascript:alert(1)) | pipe'


def test_report_escapes_data():
    from kg.export.report import render_html, render_markdown, report_data

    G = build_graph(corpus())
    for n, d in G.nodes(data=True):
        d["label" if d["kind"] == "entity" else "title"] = HOSTILE
        if d["kind"] == "paper":
            d["url"] = "javascript:alert(1)"
    data = report_data(G)
    page = render_html(data, title=HOSTILE)
    assert "<img" not in page and 'href="javascript' not in page and "&lt;img" in page
    md = render_markdown(data, title=HOSTILE)
    assert not re.search(r"(?<!\\)<img", md) and "](javascript" not in md and "\\*bold\\*" in md
    for line in md.splitlines():
        if line.startswith("| "):
            assert line.count(" | ") == line.replace("\\|", "").count(" | ")


# -- communities in the RDF -------------------------------------------------------------


def test_communities_in_rdf_are_skos_collections(tmp_path):
    import warnings

    import rdflib
    from rdflib.compare import isomorphic
    from rdflib.namespace import RDF, SKOS

    from kg.export.rdf import DEFAULT_BASE_IRI, entity_iri, shapes_path, write_rdf

    G = build_graph(corpus())
    communities = assign_communities(G)
    write_rdf(G, tmp_path / "g.ttl")
    write_rdf(G, tmp_path / "g.nt", format="ntriples")
    g = rdflib.Graph().parse(tmp_path / "g.ttl")
    assert isomorphic(g, rdflib.Graph().parse(tmp_path / "g.nt", format="nt"))
    cols = sorted(g.subjects(RDF.type, SKOS.Collection), key=str)
    assert len(cols) == len(communities)
    first = rdflib.URIRef(f"{DEFAULT_BASE_IRI}community/0")
    assert str(g.value(first, SKOS.prefLabel)) == communities[0].label
    assert set(g.objects(first, SKOS.member)) == {entity_iri(e) for e in communities[0].entities}
    pyshacl = pytest.importorskip("pyshacl")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        conforms, _, text = pyshacl.validate(g, shacl_graph=rdflib.Graph().parse(shapes_path()))
    assert conforms, text
    # a collection without members breaks the shape
    g.add((rdflib.URIRef(f"{DEFAULT_BASE_IRI}community/99"), RDF.type, SKOS.Collection))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert not pyshacl.validate(g, shacl_graph=rdflib.Graph().parse(shapes_path()))[0]


def test_report_of_a_dated_graph_has_its_years():
    from kg.export.report import render_html, render_markdown, report_data

    data = report_data(_dated_graph())
    assert data["years"] == {"2019": 1, "2023": 1} and data["counts"]["dated_papers"] == 2
    page = render_html(data)
    assert "No paper has a year" not in page and page.count("<svg") >= 3
    assert "| 2023 | 1 |" in render_markdown(data)
