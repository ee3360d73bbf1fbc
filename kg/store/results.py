"""SPARQL results as Python values, and as table, JSON or CSV text.

:func:`to_python` turns what pyoxigraph answers into plain values (a
:class:`SelectResult` of dicts, a ``bool``, or rdflib triples);
:func:`format_result` renders those for ``kg sparql``.

>>> format_result(SelectResult([{"x": 1, "ok": True, "y": None}], ["x", "ok", "y"]), "csv")
'x,ok,y\\r\\n1,true,\\r\\n'
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pyoxigraph as ox
import rdflib

from .._table import format_table
from ..errors import ArgumentError

__all__ = ["RESULT_FORMATS", "SelectResult", "escape_controls", "format_result", "to_oxigraph", "to_python"]

#: The text forms :func:`format_result` writes.
RESULT_FORMATS = ("table", "json", "csv")

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {_XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort",
    "unsignedByte")}
_FLOAT_TYPES = {_XSD + t for t in ("double", "float", "decimal")}
_TABLE_CELL_WIDTH = 80


class SelectResult(list):  # type: ignore[type-arg]
    """Rows of a SELECT query (a list of dicts), with the projected ``variables`` in order."""

    def __init__(self, rows: list[dict[str, Any]], variables: list[str]) -> None:
        super().__init__(rows)
        self.variables = variables


def _plain(term: Any) -> Any:
    """A pyoxigraph term as a plain Python value: IRIs and strings as str, numbers as int/float."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        try:
            if dt in _INTEGER_TYPES:
                return int(term.value)
            if dt in _FLOAT_TYPES:
                return float(term.value)
            if dt == _XSD + "boolean":
                return term.value in ("true", "1")
        except ValueError:
            pass
        return term.value
    return str(term)


def _to_rdflib(term: Any) -> Any:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD + "string":
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    return rdflib.Literal(str(term))


def to_oxigraph(value: Any) -> Any:
    """*value* (str, int, float, bool, an rdflib or pyoxigraph term) as a pyoxigraph term.

    >>> str(to_oxigraph("a \\"quoted\\" title")), str(to_oxigraph(3))
    ('"a \\\\"quoted\\\\" title"', '"3"^^<http://www.w3.org/2001/XMLSchema#integer>')
    """
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return value
    try:
        if isinstance(value, rdflib.URIRef):
            return ox.NamedNode(str(value))
        if isinstance(value, rdflib.BNode):
            return ox.BlankNode(str(value))
        if isinstance(value, rdflib.Literal):
            if value.language:
                return ox.Literal(str(value), language=value.language)
            if value.datatype:
                return ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype)))
            return ox.Literal(str(value))
        if isinstance(value, (str, int, float, bool)):
            return ox.Literal(value)
    except ValueError as exc:
        raise ArgumentError(f"cannot bind {escape_controls(str(value))!r}: {exc}",
                            hint="an IRI is absolute, with no spaces, quotes, braces, < or >") from None
    raise ArgumentError(f"cannot bind a {type(value).__name__} in a SPARQL query",
                        hint="bind str, int, float, bool, rdflib URIRef/Literal or pyoxigraph terms")


def to_python(result: Any) -> SelectResult | bool | list[tuple[Any, Any, Any]]:
    """A pyoxigraph query answer as plain values: SELECT rows, an ASK bool, or rdflib triples.

    >>> store = ox.Store()
    >>> store.add(ox.Quad(ox.NamedNode("http://x/a"), ox.NamedNode("http://x/n"), ox.Literal(2)))
    >>> to_python(store.query("SELECT ?s ?n WHERE { ?s ?p ?n }"))
    [{'s': 'http://x/a', 'n': 2}]
    """
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [{n: _plain(sol[n]) for n in names} for sol in result]
        return SelectResult(rows, names)
    if isinstance(result, ox.QueryTriples):
        return [(_to_rdflib(t.subject), _to_rdflib(t.predicate), _to_rdflib(t.object)) for t in result]
    return bool(result)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def format_result(result: Any, format: str = "table") -> str:
    """Render a :func:`~kg.store.sparql` result as ``table``, ``json`` or ``csv`` text.

    CONSTRUCT results are N-Triples for ``table`` and ``csv``. Control and
    bidi characters in the data never reach a terminal raw: the table shows
    them as ``\\x1b``-style escapes, JSON and N-Triples as ``\\u001B``; CSV
    keeps the data as it is (``kg sparql`` escapes it when writing to a terminal).

    >>> print(format_result(SelectResult([{"x": 1, "label": "BERT"}], ["x", "label"])), end="")
    x | label
    --+------
    1 | BERT
    >>> format_result(True, "json")
    'true\\n'
    >>> print(format_result(SelectResult([{"t": "red\\x1b[31m"}], ["t"])), end="")
    t
    -----------
    red\\x1b[31m
    """
    if format not in RESULT_FORMATS:
        raise ArgumentError(f"unknown result format {format!r}", hint="use table, json or csv")
    if isinstance(result, bool):
        if format == "csv":
            return f"ask\r\n{_cell(result)}\r\n"
        return _cell(result) + "\n"
    if isinstance(result, SelectResult) or (isinstance(result, list) and (not result or isinstance(result[0], dict))):
        names = getattr(result, "variables", None) or (list(result[0]) if result else [])
        if format == "json":
            return _u_escape(json.dumps(list(result), ensure_ascii=False, indent=2), keep="\n") + "\n"
        if format == "csv":
            buf = io.StringIO()
            w = csv.writer(buf)
            w.writerow(names)
            w.writerows([[_cell(r.get(n)) for n in names] for r in result])
            return buf.getvalue()
        cells = [[escape_controls(_cell(r.get(n))) for n in names] for r in result]
        return format_table(names, cells, max_width=_TABLE_CELL_WIDTH, empty="(no rows)")
    # CONSTRUCT / DESCRIBE
    if format == "json":
        return _u_escape(json.dumps([[str(t) for t in triple] for triple in result], ensure_ascii=False,
                                    indent=2), keep="\n") + "\n"
    # N-Triples escaped by pyoxigraph (rdflib's n3() may write multi-line literals)
    return _u_escape("".join(f"{ox.Triple(*map(to_oxigraph, t))} .\n" for t in result), keep="\n")

_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def escape_controls(text: str, keep: str = "") -> str:
    """*text* with control and bidi characters written as escapes (``\\x1b``), so a terminal shows them.

    Characters in *keep* stay as they are.

    >>> print(escape_controls("red\\x1b[31m\\tx\\u202e"))
    red\\x1b[31m\\tx\\u202e
    """
    def esc(m: re.Match[str]) -> str:
        c = m.group()
        if c in keep:
            return c
        return _NAMED.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")

    return _CONTROLS.sub(esc, text)



def _u_escape(text: str, keep: str = "") -> str:
    """Control and bidi characters as ``\\uXXXX``: lossless in JSON strings and N-Triples literals."""
    return _CONTROLS.sub(lambda m: m.group() if m.group() in keep else f"\\u{ord(m.group()):04X}", text)
