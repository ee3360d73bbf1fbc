"""kg.export.html and `kg view`: the pages themselves, then in a real headless Chromium.

Browser tests use Debian's ``chromium`` through Playwright (no browser download);
without it they skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import json
import os
import re
from contextlib import contextmanager

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.errors import ArgumentError, NotFoundError
from kg.export.html import View, ego_graph, layout, render_view, write_html
from kg.export.json import write_graph
from kg.graph import build_graph
from kg.types import Mention, Paper, RelationMention

from .browser import launch, missing_reason, open_offline, wait_until

# -- test graphs --------------------------------------------------------------


def _paper(pid: str, title: str, spans: list[tuple[str, str]], *, url: str | None = None,
           relations: list[tuple[int, int, str]] = ()) -> tuple[Paper, list[Mention], list[RelationMention]]:
    """A paper whose abstract is the entity texts joined by ' and ', with one mention per span."""
    abstract = "We use " + " and ".join(text for text, _ in spans) + "."
    paper = Paper(id=pid, title=title, abstract=abstract, authors=("A. Author", "B. Author"),
                  date="2024-05-01", url=url)
    mentions, at = [], len("We use ")
    for text, typ in spans:
        mentions.append(Mention(pid, "abstract", at, at + len(text), text, typ, abstract, 0, role="uses"))
        at += len(text) + len(" and ")
    rels = [RelationMention(pid, kind, mentions[h], mentions[t], "on", abstract) for h, t, kind in relations]
    return paper, mentions, rels


def _acronym_paper() -> tuple[Paper, list[Mention], list[RelationMention]]:
    """A paper that defines BERT, so its long form becomes an alias of BERT."""
    long = "Bidirectional Encoder Representations from Transformers"
    paper, mentions, _ = _paper("P-0000000000000002", "Pretraining deep bidirectional transformers",
                                [(long, "method"), ("BERT", "method"), ("SQuAD", "dataset"),
                                 ("question answering", "task")])
    m = mentions[1]
    mentions[1] = Mention(m.paper_id, m.field, m.start, m.end, m.text, m.type, m.sentence, 0,
                          source="acronym", role="uses", long_form=long)
    return paper, mentions, []


@pytest.fixture(scope="module")
def small_graph() -> nx.MultiDiGraph:
    """Six papers, ten entities of all five types, one used_for relation."""
    return build_graph([
        _paper("P-0000000000000001", "Transformers for translation",
               [("Transformer", "method"), ("WMT14", "dataset"), ("machine translation", "task"),
                ("BLEU", "metric")], url="https://example.org/1", relations=[(0, 2, "used_for")]),
        _acronym_paper(),
        _paper("P-0000000000000003", "BERT for reading", [("BERT", "method"), ("SQuAD", "dataset"),
                                                          ("F1", "metric")]),
        _paper("P-0000000000000004", "Attention everywhere", [("Transformer", "method"),
                                                               ("attention", "concept")]),
        _paper("P-0000000000000005", "Translation at scale", [("Transformer", "method"),
                                                              ("machine translation", "task"),
                                                              ("BLEU", "metric")]),
        _paper("P-0000000000000006", "A lonely concept", [("entropy", "concept")]),
    ])


PAYLOADS = [
    '<img src=x onerror="window.__pwned=1;alert(1)">',
    "<script>window.__pwned=2</script>",
    '"><svg onload="window.__pwned=3">',
    "</script><script>window.__pwned=4</script>",
    "javascript:window.__pwned=5",
    "'); window.__pwned=6; ('",
    '<a href="javascript:window.__pwned=7">x</a>',
    "{{ 7*7 }} {% raw %}",
    "<!-- <style>*{display:none}</style> ]]> \u2028\u2029",
]


@pytest.fixture(scope="module")
def evil_graph() -> nx.MultiDiGraph:
    """Titles, abstracts, entity names, aliases and URLs that carry injection payloads."""
    items = []
    for i, p in enumerate(PAYLOADS):
        items.append(_paper(f"P-{i:016x}", p + f" paper {i}",
                            [(p, ("method", "dataset", "task", "metric", "concept")[i % 5]),
                             ("BERT", "method")],
                            url=p if p.startswith("javascript") else "javascript:window.__pwned=9"))
    return build_graph(items)


def _entity(G: nx.MultiDiGraph, label: str) -> str:
    return next(n for n, d in G.nodes(data=True) if d.get("label") == label)


# -- the page, without a browser -----------------------------------------------


def test_write_html_is_self_contained_and_reproducible(small_graph, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    write_html(small_graph, a)
    write_html(small_graph, b)
    assert a.read_bytes() == b.read_bytes()
    page = a.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "default-src &#39;none&#39;" in page
    markup = re.sub(r"<(script|style)\b[^>]*>.*?</\1>", "", page, flags=re.DOTALL | re.IGNORECASE)
    assert not re.search(r"<(link|img|iframe|base)\b", markup, re.IGNORECASE)
    assert not re.search(r"\b(src|href)\s*=", markup, re.IGNORECASE), "nothing is loaded from anywhere"


def test_write_html_does_not_modify_the_graph(small_graph, tmp_path):
    before = json.dumps(nx.node_link_data(small_graph, edges="edges"), sort_keys=True, default=str)
    write_html(small_graph, tmp_path / "g.html", max_nodes=3)
    render_view(small_graph, _entity(small_graph, "Transformer"), hops=2)
    assert json.dumps(nx.node_link_data(small_graph, edges="edges"), sort_keys=True, default=str) == before


def test_injected_strings_stay_inside_json(evil_graph):
    page = render_view(evil_graph, title=PAYLOADS[0]).html
    # exactly our own script elements, no markup from the data anywhere
    assert len(re.findall(r"^<script", page, re.MULTILINE)) == page.count("</script>") == 6
    for p in PAYLOADS:
        for bad in ("<img", "<svg", "<script>window", "<a href", "<!--", "<style>*"):
            if bad in p:
                assert p not in page
    assert "\u2028" not in page and "\u2029" not in page
    # an ego view's heading comes from the (hostile) label
    ego = render_view(evil_graph, _entity(evil_graph, PAYLOADS[1]), hops=1)
    assert PAYLOADS[1] not in ego.html and "&lt;script&gt;window.__pwned=2&lt;/script&gt; (within 1 hop)" in ego.html
    assert "<h1 id=\"kg-title\">&lt;img src=x onerror=" in page
    assert "javascript:" not in json.loads(_json_block(page, "kg-meta").replace("\\u003c", "<"))["papers"][0]["url"]


def _json_block(page: str, element_id: str) -> str:
    m = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page, re.DOTALL)
    assert m, element_id
    return m.group(1)


def test_overview_cap_keeps_most_connected_and_says_so(small_graph):
    v = render_view(small_graph, max_nodes=3)
    meta = json.loads(_json_block(v.html, "kg-meta"))
    assert v.nodes == 3 and v.omitted_nodes == 7
    assert "Showing the 3 most connected of 10 entities; 7 left out." in meta["note"]
    labels = {n["label"] for n in meta["nodes"]}
    assert "entropy" not in labels and "Transformer" in labels


def test_overview_draws_entities_and_papers_on_request(small_graph):
    assert render_view(small_graph).nodes == 10
    assert render_view(small_graph, include_papers=True).nodes == 16


def test_ego_graph_and_view(small_graph):
    bert = _entity(small_graph, "BERT")
    one = ego_graph(small_graph, bert, hops=1)
    assert set(one) == {bert, "P-0000000000000002", "P-0000000000000003"}
    two = ego_graph(small_graph, bert, hops=2)
    assert _entity(small_graph, "SQuAD") in two and "P-0000000000000001" not in two
    v = render_view(small_graph, bert, hops=2)
    assert v.nodes == two.number_of_nodes()
    meta = json.loads(_json_block(v.html, "kg-meta"))
    assert meta["nodes"][meta["center"]]["id"] == bert
    assert render_view(small_graph, bert, hops=2, max_nodes=2).omitted_nodes == v.nodes - 2
    # a paper's ego view: the paper and its three entities
    assert render_view(small_graph, "P-0000000000000003", hops=1).nodes == 4


def test_bad_arguments_raise_kgerror(small_graph):
    with pytest.raises(NotFoundError):
        ego_graph(small_graph, "method-nope")
    with pytest.raises(ArgumentError):
        render_view(small_graph, max_nodes=-1)
    with pytest.raises(ArgumentError):
        render_view(small_graph, renderer="webgl")
    with pytest.raises(ArgumentError):
        render_view(small_graph, _entity(small_graph, "BERT"), hops=-1)
    with pytest.raises(ArgumentError):
        render_view({"not": "a graph"})


def test_empty_graph_and_layout():
    v = render_view(nx.MultiDiGraph())
    assert v.nodes == 0 and "nothing to show" in v.html
    assert layout([], []) == []
    pos = layout(list(range(5)), [(0, 1), (1, 2)])
    assert pos == layout(list(range(5)), [(0, 1), (1, 2)]) and len(set(pos)) == 5


def test_view_displays_in_notebooks(small_graph, tmp_path):
    v = render_view(small_graph)
    assert isinstance(v, View)
    frame = v._repr_html_()
    assert frame.startswith("<iframe") and 'sandbox="allow-scripts"' in frame
    assert "<script" not in frame, "the page is escaped inside srcdoc"
    assert v.save(tmp_path / "v.html").read_text(encoding="utf-8") == v.html


def test_cli_view(small_graph, tmp_path, monkeypatch):
    from kg.cli import cli

    write_graph(small_graph, tmp_path / "exports" / "graph.json")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    out = tmp_path / "bert.html"
    res = runner.invoke(cli, ["view", "BERT", "--hops", "1", "-o", str(out), "--dir", "exports"])
    assert res.exit_code == 0, res.output
    assert out.exists() and "3 nodes" in res.output
    res = runner.invoke(cli, ["view", "--dir", "exports"])
    assert res.exit_code == 0 and (tmp_path / "view-overview.html").exists()
    res = runner.invoke(cli, ["view", "no such entity at all", "--dir", "exports"])
    assert res.exit_code == 3 and "error" in res.output


# -- in headless Chromium ----------------------------------------------------------

RENDERERS = ["vis", "canvas"]


@pytest.fixture(scope="module")
def browser():
    reason = missing_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    with launch() as b:
        yield b


@contextmanager
def _open(browser, path):
    """The page at *path*, offline, once the view has drawn: ``(page, record)``."""
    with open_offline(browser, path) as (page, record):
        wait_until(page, "window.kgView && kgView.state.drawn")
        yield page, record


def _assert_clean(page, record):
    assert record.requests == [], "the page must make no request"
    assert record.console_errors == [] and record.page_errors == []
    assert record.dialogs == []
    assert page.evaluate("window.__pwned") is None
    # the policy is in force: an inline script added to the page does not run
    page.evaluate("() => { const s = document.createElement('script');"
                  " s.textContent = 'window.__csp = 1'; document.body.appendChild(s); }")
    assert page.evaluate("window.__csp") is None


@pytest.mark.browser
@pytest.mark.parametrize("renderer", RENDERERS)
def test_page_draws_offline(browser, small_graph, tmp_path, renderer):
    path = tmp_path / "g.html"
    write_html(small_graph, path, renderer=renderer, include_papers=True)
    with _open(browser, path) as (page, record):
        assert page.evaluate("kgView.renderer") == renderer
        assert page.evaluate("kgView.drawnCount()") == 16
        assert page.locator("#kg-legend input[type=checkbox]").count() == 6
        _assert_clean(page, record)


@pytest.mark.browser
@pytest.mark.parametrize("renderer", RENDERERS)
def test_search_toggle_click_and_tooltip(browser, small_graph, tmp_path, renderer):
    path = tmp_path / "g.html"
    write_html(small_graph, path, renderer=renderer)
    with _open(browser, path) as (page, record):
        # search by an alias: "BERT" and its long form were merged into one entity
        page.fill("#kg-search", "bidirectional encoder")
        assert "as Bidirectional Encoder" in page.locator("#kg-results").inner_text()
        page.keyboard.press("Enter")
        sel = page.evaluate("kgView.meta.nodes[kgView.state.selected].label")
        assert sel == "BERT"
        assert page.locator("#kg-panel").is_visible()
        panel = page.locator("#kg-panel").inner_text()
        assert "Pretraining deep bidirectional transformers" in panel and "BERT for reading" in panel

        # a type toggle hides that type
        assert page.evaluate("kgView.visibleCount('metric')") == 2
        page.locator("#kg-legend input[data-type=metric]").uncheck()
        assert page.evaluate("kgView.visibleCount('metric')") == 0
        assert page.evaluate("kgView.drawnCount()") == 8
        page.locator("#kg-legend input[data-type=metric]").check()
        assert page.evaluate("kgView.drawnCount()") == 10

        # a real click on a node highlights its neighbourhood and lists its papers
        page.keyboard.press("Escape")
        page.wait_for_timeout(400)  # the focus animation
        page.evaluate("kgView.clearSelection(); kgView.fit()")
        page.wait_for_timeout(100)
        idx = page.evaluate("kgView.meta.nodes.findIndex(n => n.label === 'Transformer')")
        box = page.locator("#kg-network").bounding_box()
        pos = page.evaluate(f"kgView.domPosition({idx})")
        page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"], steps=3)
        page.wait_for_timeout(300)
        tip = page.locator("#kg-tip")
        assert tip.is_visible() and "Transformer" in tip.inner_text() and "3 papers" in tip.inner_text()
        page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
        assert page.evaluate("kgView.state.selected") == idx
        panel = page.locator("#kg-panel").inner_text()
        assert "Transformers for translation" in panel and "Attention everywhere" in panel
        link = page.locator("#kg-panel a", has_text="Transformers for translation")
        assert link.get_attribute("href") == "https://example.org/1"
        _assert_clean(page, record)


@pytest.mark.browser
@pytest.mark.parametrize("renderer", RENDERERS)
def test_injection_corpus_runs_nothing(browser, evil_graph, tmp_path, renderer):
    path = tmp_path / "evil.html"
    render_view(evil_graph, title=PAYLOADS[1] + PAYLOADS[0], include_papers=True,
                renderer=renderer).save(path)
    with _open(browser, path) as (page, record):
        assert page.locator("#kg-title").inner_text() == PAYLOADS[1] + PAYLOADS[0]
        n = page.evaluate("kgView.meta.nodes.length")
        box = page.locator("#kg-network").bounding_box()
        for i in range(n):  # open every tooltip and every panel
            page.evaluate(f"kgView.focusNode({i})")
            pos = page.evaluate(f"kgView.domPosition({i})")
            page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
        for p in PAYLOADS:  # search for each payload, so it lands in the results menu
            page.fill("#kg-search", p)
            page.keyboard.press("Enter")
        page.evaluate("kgView.focusNode(kgView.meta.nodes.findIndex(n => n.type === 'paper'))")
        page.wait_for_timeout(300)
        panel_links = page.evaluate("[...document.querySelectorAll('a')].map(a => a.href)")
        assert all(h.startswith("https://") for h in panel_links)
        assert page.evaluate("document.querySelectorAll('img, svg, iframe, object, embed').length") == 0
        assert page.evaluate(
            "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes]"
            ".map(a => a.name)).filter(n => n.startsWith('on')).length") == 0
        assert page.evaluate("document.scripts.length") == (6 if renderer == "vis" else 5)
        _assert_clean(page, record)


@pytest.mark.browser
def test_ego_view_selects_its_center(browser, small_graph, tmp_path):
    path = tmp_path / "ego.html"
    render_view(small_graph, _entity(small_graph, "Transformer"), hops=2).save(path)
    with _open(browser, path) as (page, record):
        wait_until(page, "kgView.state.selected !== null")
        assert page.evaluate("kgView.meta.nodes[kgView.state.selected].label") == "Transformer"
        assert page.evaluate("kgView.drawnCount()") == page.evaluate("kgView.meta.counts.nodes")
        _assert_clean(page, record)


def test_knowledge_graph_view(small_graph):
    from kg.query import KnowledgeGraph

    v = KnowledgeGraph(small_graph).view("bidirectional encoder representations from transformers", hops=1)
    assert isinstance(v, View) and v.nodes == 3 and "BERT" in v.title
    assert KnowledgeGraph(small_graph).view().nodes == 10


# -- the map of the field (issue 14) ---------------------------------------------


@pytest.fixture(scope="module")
def map_graph(small_graph) -> nx.MultiDiGraph:
    """The small graph with communities."""
    from kg.communities import assign_communities

    G = small_graph.copy()
    assign_communities(G)
    return G


def _hover(page, i):
    box = page.locator("#kg-network").bounding_box()
    pos = page.evaluate(f"kgView.domPosition({i})")
    page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"], steps=3)
    page.wait_for_timeout(250)
    return box, pos


def test_overview_meta_has_communities_and_graph_counts(map_graph):
    from kg.export.view_page import COMMUNITY_COLORS

    html = render_view(map_graph).html
    meta = json.loads(re.search(r'id="kg-meta">(.*?)</script>', html).group(1))
    assert meta["colorBy"] == "community" and meta["communities"]
    assert meta["communities"][0]["color"] == COMMUNITY_COLORS[0]
    transformer = next(m for m in meta["nodes"] if m["label"] == "Transformer")
    assert transformer["links"] == len(set(map_graph.successors(transformer["id"]))
                                       | set(map_graph.predecessors(transformer["id"])))
    assert "community" in transformer
    # undrawn nodes (here: the papers) are in the search index
    assert {r[1] for r in meta["search"]["rows"]} == {"paper"}
    assert render_view(map_graph).html == html


@pytest.mark.browser
@pytest.mark.parametrize("renderer", RENDERERS)
def test_colour_toggle_community_and_type(browser, map_graph, tmp_path, renderer):
    path = tmp_path / "g.html"
    write_html(map_graph, path, renderer=renderer)
    with _open(browser, path) as (page, record):
        idx = page.evaluate("kgView.meta.nodes.findIndex(n => n.label === 'BLEU')")
        by_comm = page.evaluate(f"kgView.colourOf({idx})")
        assert by_comm in [c["color"] for c in page.evaluate("kgView.meta.communities")]
        page.locator("#kg-legend input[value=type]").check()
        assert page.evaluate(f"kgView.colourOf({idx})") == "#e15759"  # metric
        assert page.evaluate("kgView.state.colorBy") == "type"
        page.locator("#kg-legend input[value=community]").check()
        assert page.evaluate(f"kgView.colourOf({idx})") == by_comm
        assert page.locator(".kg-community").count() == len(page.evaluate("kgView.meta.communities"))
        _assert_clean(page, record)


@pytest.mark.browser
def test_cluster_labels_at_overview_zoom(browser, tmp_path):
    from bench.views import synthetic_graph
    from kg.communities import assign_communities

    G = synthetic_graph(1500)
    assign_communities(G)
    path = tmp_path / "big.html"
    write_html(G, path)
    with _open(browser, path) as (page, record):
        assert page.evaluate("kgView.renderer") == "canvas"
        page.wait_for_timeout(200)
        assert page.evaluate("kgView.state.clusterLabels") >= 3
        _assert_clean(page, record)


@pytest.mark.browser
@pytest.mark.parametrize("renderer", RENDERERS)
def test_search_finds_undrawn_nodes_fuzzily(browser, map_graph, tmp_path, renderer):
    path = tmp_path / "g.html"
    write_html(map_graph, path, renderer=renderer, max_nodes=3)
    with _open(browser, path) as (page, record):
        drawn = page.evaluate("kgView.meta.nodes.map(n => n.label)")
        assert "machine translation" not in drawn
        page.fill("#kg-search", "machine translaton")  # a typo
        results = page.locator("#kg-results").inner_text()
        assert "machine translation" in results and "not drawn" in results
        page.keyboard.press("Enter")
        panel = page.locator("#kg-panel").inner_text()
        assert "Not drawn in this view" in panel and 'kg view "machine translation"' in panel
        assert "Transformer" in panel  # its neighbourhood here
        assert page.evaluate("kgView.state.undrawn") is not None
        # a paper is findable too, by its title
        page.fill("#kg-search", "lonely concept")
        assert "A lonely concept" in page.locator("#kg-results").inner_text()
        page.fill("#kg-search", "transformr")
        assert page.locator("#kg-results li").first.inner_text().startswith("Transformer")
        _assert_clean(page, record)


@pytest.mark.browser
@pytest.mark.parametrize("renderer", RENDERERS)
def test_tooltip_hides_when_the_pointer_leaves_for_the_legend(browser, map_graph, tmp_path, renderer):
    path = tmp_path / "g.html"
    write_html(map_graph, path, renderer=renderer)
    with _open(browser, path) as (page, record):
        idx = page.evaluate("kgView.meta.nodes.findIndex(n => n.label === 'Transformer')")
        _hover(page, idx)
        assert page.locator("#kg-tip").is_visible()
        legend = page.locator("#kg-legend").bounding_box()
        page.mouse.move(legend["x"] + 20, legend["y"] + legend["height"] - 5, steps=2)
        page.wait_for_timeout(150)
        assert not page.locator("#kg-tip").is_visible()
        _hover(page, idx)
        header = page.locator("#kg-header").bounding_box()
        page.mouse.move(header["x"] + 300, header["y"] + 10, steps=2)
        page.wait_for_timeout(150)
        assert not page.locator("#kg-tip").is_visible()
        _assert_clean(page, record)


@pytest.mark.browser
@pytest.mark.parametrize("renderer", RENDERERS)
def test_hover_and_click_pick_the_same_overlapping_node(browser, map_graph, tmp_path, renderer, monkeypatch):
    import kg.export.html as html_mod

    def stacked(nodes, edges, **_):  # every node on a diagonal, 6 units apart: neighbours overlap
        return [(6.0 * i, 6.0 * i) for i in range(len(nodes))]

    monkeypatch.setattr(html_mod, "layout", stacked)
    monkeypatch.setattr(html_mod, "layout_groups", lambda nodes, edges, groups, **kw: stacked(nodes, edges))
    path = tmp_path / "g.html"
    render_view(map_graph, renderer=renderer).save(path)
    with _open(browser, path) as (page, record):
        n = page.evaluate("kgView.meta.nodes.length")
        box = page.locator("#kg-network").bounding_box()
        checked = 0
        for i in range(n - 1):
            page.evaluate("kgView.clearSelection()")
            page.wait_for_timeout(150)  # the drawing widens again as the panel closes
            a = page.evaluate(f"kgView.domPosition({i})")
            b = page.evaluate(f"kgView.domPosition({i + 1})")
            page.mouse.move(box["x"] + a["x"], box["y"] + a["y"], steps=2)
            x, y = box["x"] + (2 * a["x"] + 3 * b["x"]) / 5, box["y"] + (2 * a["y"] + 3 * b["y"]) / 5
            page.mouse.move(x, y, steps=2)
            page.wait_for_timeout(150)
            tip = page.locator("#kg-tip")
            if not tip.is_visible():
                continue
            hovered = tip.locator("strong").inner_text()
            page.mouse.click(x, y)
            selected = page.evaluate("kgView.state.selected")
            assert selected is not None
            assert page.evaluate(f"kgView.meta.nodes[{selected}].label") == hovered
            checked += 1
        assert checked >= n // 2
        _assert_clean(page, record)


@pytest.mark.browser
@pytest.mark.parametrize("renderer", RENDERERS)
def test_panel_narrows_the_drawing_and_counts_graph_links(browser, map_graph, tmp_path, renderer):
    path = tmp_path / "g.html"
    write_html(map_graph, path, renderer=renderer, max_nodes=4)
    with _open(browser, path) as (page, record):
        full = page.locator("#kg-network").bounding_box()["width"]
        idx = page.evaluate("kgView.meta.nodes.findIndex(n => n.label === 'Transformer')")
        box, pos = _hover(page, idx)
        page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
        page.wait_for_timeout(500)
        net = page.locator("#kg-network").bounding_box()
        panel = page.locator("#kg-panel").bounding_box()
        assert net["width"] == pytest.approx(full - panel["width"], abs=2)
        assert net["x"] + net["width"] <= panel["x"] + 1
        pos = page.evaluate(f"kgView.domPosition({idx})")
        assert 0 <= pos["x"] <= net["width"] and 0 <= pos["y"] <= net["height"]
        node = page.evaluate(f"kgView.meta.nodes[{idx}]")
        links = len(set(map_graph.successors(node["id"])) | set(map_graph.predecessors(node["id"])))
        text = page.locator("#kg-panel").inner_text()
        assert f"{links} links in the graph, {node['degree']} drawn here" in text
        page.click("#kg-panel-close")
        page.wait_for_timeout(200)
        assert page.locator("#kg-network").bounding_box()["width"] == pytest.approx(full, abs=2)
        _assert_clean(page, record)


@pytest.fixture(scope="module")
def dated_graph(map_graph) -> nx.MultiDiGraph:
    """The small graph with one paper a year, 2019-2024 (its papers are P-...1 to P-...6)."""
    G = map_graph.copy()
    for k in range(1, 7):
        G.nodes[f"P-{k:016x}"]["date"] = f"{2018 + k}-03-01"
    return G


def test_views_without_years_have_no_year_control(map_graph):
    G = map_graph.copy()
    for n, d in G.nodes(data=True):
        if d["kind"] == "paper":
            d["date"] = "Mar 12"  # the seed dumps' dates: no year, and none is invented
    assert '"yearRange":null' in render_view(G).html
    assert '"yearRange":null' in render_view(map_graph).html  # one year only: nothing to filter


@pytest.mark.browser
@pytest.mark.parametrize("renderer", RENDERERS)
def test_year_range_filters_papers_and_entities(browser, dated_graph, tmp_path, renderer):
    path = tmp_path / "dated.html"
    write_html(dated_graph, path, renderer=renderer, include_papers=True)
    with _open(browser, path) as (page, record):
        assert page.evaluate("kgView.meta.yearRange") == [2019, 2024]
        assert page.locator("#kg-year-from").is_visible()
        total = page.evaluate("kgView.drawnCount()")
        # 2022 only: "Attention everywhere" (P-4) with Transformer and attention
        page.locator("#kg-year-from").fill("2022")
        page.locator("#kg-year-to").fill("2022")
        page.wait_for_timeout(100)
        visible = page.evaluate("kgView.meta.nodes.map((n, i) => [n.label, i])"
                                ".filter(([l, i]) => !kgView.surface.isHidden(i)).map(([l]) => l)")
        assert sorted(visible) == ["Attention everywhere", "Transformer", "attention"]
        assert page.locator("#kg-years").inner_text().strip().endswith("2022")
        page.evaluate("kgView.setYears(2019, 2024)")
        assert page.evaluate("kgView.drawnCount()") == total
        _assert_clean(page, record)
