"""GraphML and GEXF exports of hostile text read back (they are XML 1.0, which forbids most controls)."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.export.graphml import write_tools_graph
from kg.graph import build_graph
from kg.types import Mention, Paper

from .helpers import corpus


@pytest.mark.parametrize("fmt, read", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_hostile_text_and_ids_read_back(fmt, read, tmp_path):
    title = "Bell\x07 and NUL\x00 and ESC\x1b[31m in a title"
    paper = Paper(id="P-\x02", title=title, abstract="We use BERT.")
    extra = (paper, [Mention("P-\x02", "abstract", 7, 11, "BERT", "method", "We use BERT.", 0)], [])
    G = build_graph([*corpus(), extra])
    path = write_tools_graph(G, tmp_path / f"g.{fmt}", format=fmt)
    H = read(path)
    assert H.number_of_nodes() == G.number_of_nodes() and H.number_of_edges() == G.number_of_edges()
    assert "Bell\ufffd and NUL\ufffd and ESC\ufffd[31m in a title" in {d.get("label") for _, d in H.nodes(data=True)}


def test_report_markdown_keeps_urls_out_of_the_table_structure():
    # A URL ending in a newline passed the check (re.match with $), and '|' split a table cell.
    from kg.communities import assign_communities
    from kg.export.report import render_markdown, report_data

    def paper(i, url):
        p = Paper(id=f"P-{i}", title=f"Paper {i}", abstract="We use BERT.", url=url)
        return p, [Mention(p.id, "abstract", 7, 11, "BERT", "method", "We use BERT.", 0)], []

    def markdown(url):
        G = build_graph([paper(1, url)])
        assign_communities(G)
        return render_markdown(report_data(G))

    md = markdown("https://e.org/x|y")
    assert "https://e.org/x%7Cy" in md and "e.org/x|y" not in md
    md = markdown("https://e.org/a|b\n")
    assert "e.org/a" not in md  # not an http(s) URL on one line: no link
    assert not any(line.startswith(">") for line in md.splitlines())
