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
