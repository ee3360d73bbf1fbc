"""Triple stores: kg's embedded Oxigraph store, SPARQL over it, and pushes to SPARQL servers.

``kg build`` fills an on-disk `Oxigraph <https://github.com/oxigraph/oxigraph>`_
store (``exports/store/``) with the same triples as ``exports/graph.ttl``;
:func:`sparql` queries it. :func:`push` uploads an export to any server that
speaks the SPARQL 1.1 Graph Store HTTP Protocol (Oxigraph, Fuseki, GraphDB,
Virtuoso), replacing one named graph, then checks the triple count.

=================  ==============================================================
module             job
=================  ==============================================================
``local``          the embedded store: build, swap into place, open, query
``results``        SPARQL answers as Python values; table, JSON and CSV text
``push``           Graph Store Protocol push: what to send, counting, checking
``http``           the HTTP client under ``push``: credentials, retries
=================  ==============================================================

>>> import networkx as nx, tempfile, pathlib
>>> G = nx.MultiDiGraph(); G.add_node("P-1", kind="paper", title="A title")
>>> store = pathlib.Path(tempfile.mkdtemp()) / "store"
>>> build_store(G, store)
3
>>> sparql(store, "SELECT ?t WHERE { ?p dcterms:title ?t }")
[{'t': 'A title'}]
>>> sparql(store, "ASK { ?p a schema:ScholarlyArticle }")
True
"""

from __future__ import annotations

from .local import QUERY_PREFIXES, build_store, sparql
from .push import PushResult, push, query_endpoint_for
from .results import SelectResult, format_result

__all__ = [
    "QUERY_PREFIXES",
    "PushResult",
    "SelectResult",
    "build_store",
    "format_result",
    "push",
    "query_endpoint_for",
    "sparql",
]
