"""The JSON-LD writer: compact JSON-LD, the prefixes as ``@context``, one node object per line.

It reads parsed quads (pyoxigraph's, grouped by subject, as N-Triples
parsed back gives them) and streams them out, so the whole graph is never
held as JSON. An IRI under a prefix becomes ``prefix:local``, a string
literal a JSON string, other literals ``{"@value", "@type"}`` objects, and
``rdf:type`` the node's ``@type`` list.

>>> import io, pyoxigraph as ox
>>> nt = b'<https://ex.org/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://ex.org/C> .\\n'
>>> f = io.BytesIO()
>>> write_jsonld(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES), f, {"ex": "https://ex.org/"}, None)
>>> print(f.getvalue().decode())
{"@context":{"ex":"https://ex.org/"},"@graph":[
{"@id":"ex:a","@type":["ex:C"]}
]}
<BLANKLINE>
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import namespace as _ns

__all__ = ["write_jsonld"]

_STRING = str(_ns.XSD.string)
_RDF_TYPE = str(_ns.RDF.type)

#: (prefix, namespace) pairs, longest namespace first.
Prefixes = list[tuple[str, str]]


def _compact(iri: str, ordered: Prefixes) -> str:
    """``prefix:local`` for the longest namespace *iri* starts with, else *iri* itself.

    >>> _compact("https://ex.org/a/b", [("a", "https://ex.org/a/"), ("ex", "https://ex.org/")])
    'a:b'
    """
    for name, ns in ordered:
        if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
            return f"{name}:{iri[len(ns):]}"
    return iri


def _value(term: Any, ordered: Prefixes) -> Any:
    """A term as a JSON-LD value: a string, or an ``@value`` or ``@id`` object."""
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == _STRING:
            return term.value
        return {"@value": term.value, "@type": _compact(term.datatype.value, ordered)}
    if isinstance(term, ox.BlankNode):
        return {"@id": f"_:{term.value}"}
    return {"@id": _compact(term.value, ordered)}


def _emit(f: io.RawIOBase | Any, node: dict[str, Any], first: bool) -> None:
    """Write one node object, its one-value lists (except ``@type``) as bare values."""
    body = {k: (v[0] if isinstance(v, list) and len(v) == 1 and k != "@type" else v)
            for k, v in node.items()}
    f.write((("" if first else ",\n") + json.dumps(body, ensure_ascii=False, separators=(",", ":")))
            .encode("utf-8"))


def write_jsonld(quads: Iterable[Any], f: io.RawIOBase | Any, pfx: dict[str, str],
                 graph_iri: str | None) -> None:
    """Write *quads* to the binary file *f* as compact JSON-LD with *pfx* as ``@context``.

    The document is the named graph *graph_iri* when given. Quads of one
    subject must come together.
    """
    ordered = sorted(pfx.items(), key=lambda kv: -len(kv[1]))
    head: dict[str, Any] = {"@context": dict(pfx)}
    if graph_iri is not None:
        head["@id"] = graph_iri
    f.write(json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1].encode("utf-8"))
    f.write(b',"@graph":[\n')
    subject = None
    first = True
    node: dict[str, Any] = {}
    for q in quads:
        if q.subject != subject:
            if subject is not None:
                _emit(f, node, first)
                first = False
            subject = q.subject
            node = {"@id": _value(subject, ordered)["@id"]}
        p = q.predicate.value
        if p == _RDF_TYPE and isinstance(q.object, ox.NamedNode):
            node.setdefault("@type", []).append(_compact(q.object.value, ordered))
        else:
            node.setdefault(_compact(p, ordered), []).append(_value(q.object, ordered))
    if subject is not None:
        _emit(f, node, first)
    f.write(b"\n]}\n")
