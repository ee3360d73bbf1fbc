"""The embedded Oxigraph store: atomic builds, SPARQL results, safe bindings, formatting, `kg sparql`."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from kg.errors import ArgumentError, InputError, StoreError
from kg.export.json import write_graph
from kg.export.rdf import entity_iri, graph_to_rdf, paper_iri, write_rdf
from kg.graph import build_graph
from kg.normalize import canonical_key, entity_id
from kg.query import KnowledgeGraph
from kg.store import SelectResult, build_store, format_result, sparql

from .helpers import HOSTILE_TITLE, NEIGHBOURS, corpus


@pytest.fixture(scope="module")
def G():
    return build_graph(corpus())


@pytest.fixture(scope="module")
def store(G, tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "store"
    assert build_store(G, path) == len(graph_to_rdf(G))
    return path


def test_build_from_graph_json_folder_and_rdf_file(G, tmp_path):
    n = len(graph_to_rdf(G))
    write_graph(G, tmp_path / "graph.json")
    assert build_store(tmp_path, tmp_path / "s1") == n
    assert build_store(tmp_path / "graph.json", tmp_path / "s2") == n
    write_rdf(G, tmp_path / "graph.ttl")
    assert build_store(tmp_path / "graph.ttl", tmp_path / "s3") == n
    write_rdf(G, tmp_path / "graph.nq", format="nquads")
    assert build_store(tmp_path / "graph.nq", tmp_path / "s4") == n
    with pytest.raises(InputError, match="no graph.json"):
        build_store(tmp_path / "s1", tmp_path / "s5")


def test_rebuild_replaces_the_store_atomically(G, tmp_path):
    path = tmp_path / "store"
    build_store(G, path)
    assert sparql(path, "ASK { ?p kg:id 'P-3' }") is True
    small = build_graph(corpus()[:1])
    build_store(small, path)  # an open (cached) reader must not hide the new store
    assert sparql(path, "ASK { ?p kg:id 'P-3' }") is False
    assert sparql(path, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"] == len(graph_to_rdf(small))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]  # no temp or old folders left


def test_a_failed_build_keeps_the_old_store(G, tmp_path):
    path = tmp_path / "store"
    build_store(G, path)
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .", encoding="utf-8")
    with pytest.raises(InputError, match="not valid RDF"):
        build_store(bad, path)
    assert sparql(path, "ASK { ?p kg:id 'P-3' }") is True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.ttl", "store"]


def test_refuses_to_replace_a_folder_that_is_not_a_store(G, tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine")
    with pytest.raises(StoreError, match="not an Oxigraph store"):
        build_store(G, tmp_path / "notes")
    assert (tmp_path / "notes" / "keep.txt").read_text() == "mine"


def test_select_returns_plain_values(store):
    rows = sparql(store, """SELECT ?label ?papers ?conf WHERE {
        ?e a kg:Method ; skos:prefLabel ?label ; kg:paperCount ?papers .
        OPTIONAL { ?m kg:mentionOf ?e ; kg:role "proposes" ; kg:confidence ?conf }
    } ORDER BY ?label""")
    assert isinstance(rows, SelectResult) and rows.variables == ["label", "papers", "conf"]
    assert rows == [{"label": "FooNet", "papers": 2, "conf": pytest.approx(0.87)},
                    {"label": 'Net">evil', "papers": 1, "conf": None}]
    assert type(rows[0]["papers"]) is int


def test_ask_and_construct(store):
    assert sparql(store, "ASK { ?m a kg:Method }") is True
    assert sparql(store, "ASK { ?m a kg:Nothing }") is False
    triples = sparql(store, "CONSTRUCT { ?p dcterms:title ?t } WHERE { ?p kg:id 'P-3' ; dcterms:title ?t }")
    assert [(str(s), str(o)) for s, _, o in triples] == [(str(paper_iri("P-3")), HOSTILE_TITLE)]


def test_bindings_are_terms_not_query_text(store):
    title = sparql(store, "SELECT ?t WHERE { ?p kg:id ?id ; dcterms:title ?t }", bindings={"id": "P-3"})
    assert title == [{"t": HOSTILE_TITLE}]
    # an injection attempt is just a string that matches nothing
    evil = "P-1' } UNION { ?p ?x ?t } #"
    assert sparql(store, "SELECT ?t WHERE { ?p kg:id ?id ; dcterms:title ?t }", bindings={"id": evil}) == []
    # a hostile string as a bound value finds itself
    rows = sparql(store, "SELECT ?p WHERE { ?p dcterms:title ?t }", bindings={"t": HOSTILE_TITLE})
    assert rows == [{"p": str(paper_iri("P-3"))}]
    import rdflib

    rows = sparql(store, "SELECT ?id WHERE { ?p kg:id ?id }", bindings={"p": rdflib.URIRef(paper_iri("P-2"))})
    assert rows == [{"id": "P-2"}]
    with pytest.raises(ArgumentError, match="variable name"):
        sparql(store, "SELECT * WHERE { ?s ?p ?o }", bindings={"a b": 1})


def test_neighbour_query_equals_the_python_api(G, store):
    kg = KnowledgeGraph(G)
    for name in ("FooNet", "ImageNet", "image classification"):
        node = kg.resolve(name)
        expected = sorted(h.id for h in kg.neighbors(node))
        assert expected, name
        got = [r["id"] for r in sparql(store, NEIGHBOURS, bindings={"start": node})]
        assert got == expected, name


def test_errors_are_store_errors(store, tmp_path):
    with pytest.raises(StoreError, match="invalid SPARQL"):
        sparql(store, "SELEC ?x")
    with pytest.raises(StoreError, match="no Oxigraph store"):
        sparql(tmp_path / "nowhere", "ASK {}")


def test_format_table_json_csv(store):
    rows = sparql(store, "SELECT ?id ?title WHERE { ?p a schema:ScholarlyArticle ; kg:id ?id ; dcterms:title ?title }"
                         " ORDER BY ?id")
    table = format_result(rows, "table")
    lines = table.splitlines()
    assert lines[0].split(" | ")[0].strip() == "id" and len(lines) == 2 + 3
    assert "\\n" in lines[-1] and len(lines[-1]) < 120  # newlines escaped, long cells clipped
    assert json.loads(format_result(rows, "json"))[2]["title"] == HOSTILE_TITLE
    parsed = list(csv.reader(io.StringIO(format_result(rows, "csv"), newline="")))
    assert parsed[0] == ["id", "title"] and parsed[3] == ["P-3", HOSTILE_TITLE]
    assert format_result(SelectResult([], ["x"]), "table").endswith("(no rows)\n")
    assert format_result(False, "csv") == "ask\r\nfalse\r\n"
    nt = format_result(sparql(store, "CONSTRUCT { ?p kg:id ?id } WHERE { ?p kg:id 'P-1', ?id }"), "table")
    assert nt == f'<{paper_iri("P-1")}> <https://w3id.org/kg/ontology#id> "P-1" .\n'
    with pytest.raises(ArgumentError, match="unknown result format"):
        format_result(rows, "xml")


def test_kg_sparql_cli(G, tmp_path):
    from kg.cli import cli

    write_graph(G, tmp_path / "graph.json")
    build_store(G, tmp_path / "store")
    foonet = entity_id("method", canonical_key("FooNet"))
    runner = CliRunner()
    q = "SELECT ?label WHERE { ?e kg:id ?id ; skos:prefLabel ?label }"
    result = runner.invoke(cli, ["sparql", q, "-d", str(tmp_path), "--bind", f"id={foonet}", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"label": "FooNet"}]
    (tmp_path / "q.rq").write_text("SELECT ?e WHERE { ?e a kg:Dataset }")
    result = runner.invoke(cli, ["sparql", f"@{tmp_path / 'q.rq'}", "-d", str(tmp_path / "store"), "-f", "csv"])
    assert result.exit_code == 0 and result.output.splitlines()[1] == str(entity_iri(
        entity_id("dataset", canonical_key("ImageNet"))))
    result = runner.invoke(cli, ["sparql", "-", "-d", str(tmp_path)], input="ASK { ?x a kg:Task }")
    assert result.output == "true\n"
    result = runner.invoke(cli, ["sparql", "SELECT nonsense", "-d", str(tmp_path)])
    assert result.exit_code == 1 and "invalid SPARQL" in result.output and result.output.count("\n") == 1
    result = runner.invoke(cli, ["sparql", "ASK {}", "-d", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "kg build" in result.output


# ----------------------------------------------------------------------------- issue 13: kg sparql defects

def _kg_sparql(*args):
    from kg.cli import cli

    return CliRunner().invoke(cli, ["sparql", *args])


def _one_line_error(result):
    assert result.exit_code != 0 and result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.startswith("kg: error: ") and result.output.count("\n") == 1, result.output
    return result.output


def test_same_query_as_on_a_server_named_graph_and_default_graph(store, G):
    """The store keeps kg's triples in <base>graph (as a push does) and reads the union by default."""
    from kg.export.rdf import default_graph_iri

    n = len(graph_to_rdf(G))
    plain = sparql(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")[0]["n"]
    named = sparql(store, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{default_graph_iri()}> {{ ?s ?p ?o }} }}")[0]["n"]
    from_ = sparql(store, f"SELECT (COUNT(*) AS ?n) FROM <{default_graph_iri()}> {{ ?s ?p ?o }}")[0]["n"]
    assert plain == named == from_ == n


def test_service_is_refused_unless_allowed(store):
    q = "SELECT * { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    out = _one_line_error(_kg_sparql(q, "-d", str(store)))
    assert "SERVICE" in out and "--allow-service" in out
    # a SERVICE inside a string, an IRI or a comment is not a clause
    ok = _kg_sparql('SELECT ?x { BIND("SERVICE" AS ?x) } # SERVICE <http://x>', "-d", str(store))
    assert ok.exit_code == 0 and "SERVICE" in ok.output
    allowed = _kg_sparql(q, "-d", str(store), "--allow-service")  # tried, fails: one line, no traceback
    assert "Traceback" not in allowed.output and allowed.exception is None or isinstance(allowed.exception,
                                                                                         SystemExit)


def test_update_bad_iri_and_corrupt_store_are_one_line_errors(store, tmp_path):
    out = _one_line_error(_kg_sparql("INSERT DATA { <http://a> <http://b> <http://c> }", "-d", str(store)))
    assert "not supported here" in out
    out = _one_line_error(_kg_sparql("SELECT ?p { ?p ?q ?o } LIMIT 1", "--bind-iri", "p=http://x>", "-d", str(store)))
    assert "not an absolute IRI" in out
    import shutil

    broken = tmp_path / "store"
    shutil.copytree(store, broken)
    for f in broken.glob("*.sst"):
        f.write_bytes(b"\x00garbage" * 100)
    out = _one_line_error(_kg_sparql("SELECT * { ?s ?p ?o } LIMIT 1", "-d", str(broken)))
    assert "cannot open the store" in out or "query failed" in out


def test_control_characters_never_reach_the_terminal(store):
    res = _kg_sparql('SELECT ?x { BIND("red\\u001B[31m\\u009Bx\\u202E" AS ?x) }', "-d", str(store))
    assert res.exit_code == 0
    assert "\x1b" not in res.output and "\x9b" not in res.output and "\u202e" not in res.output
    assert "\\x1b[31m" in res.output
    js = _kg_sparql('SELECT ?x { BIND("red\\u001B[31m\\u009B" AS ?x) }', "-d", str(store), "-f", "json")
    assert "\x1b" not in js.output and "\x9b" not in js.output
    assert json.loads(js.output) == [{"x": "red\x1b[31m\x9b"}]
