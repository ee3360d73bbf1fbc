"""IRIs of kg's data: minted from kg's stable ids, checked, and spelt as Turtle prefixed names.

Data IRIs live under a base IRI (:data:`DEFAULT_BASE_IRI` unless told
otherwise): ``<base>paper/<id>``, ``<base>entity/<id>``,
``<base>mention/...``, ``<base>relation/...`` and the named graph
``<base>graph``. An id becomes one path segment (unreserved characters kept,
the rest percent-encoded), so an IRI never depends on raw text.

A segment can follow a prefix such as ``paper:`` only when it is a Turtle
local name (``PN_LOCAL``); the regular expressions here tell when it is,
when it may start one, stand inside one, or end one.

>>> str(paper_iri("P 1"))
'https://w3id.org/kg/local/paper/P%201'
>>> bool(LOCAL_NAME.fullmatch(segment("P-1"))), bool(LOCAL_NAME.fullmatch(segment("P~2")))
(True, False)
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from rdflib.term import URIRef

from ...errors import ArgumentError

__all__ = [
    "DEFAULT_BASE_IRI",
    "LOCAL_BODY",
    "LOCAL_HEAD",
    "LOCAL_NAME",
    "LOCAL_TAIL",
    "check_base",
    "check_iri",
    "dataset_iri",
    "default_graph_iri",
    "entity_iri",
    "paper_iri",
    "segment",
]

#: Where data IRIs live unless ``base_iri`` says otherwise: ``local/`` under kg's own permanent
#: identifier (see :data:`~kg.export.rdf.vocab.KG`), kept for graphs nobody has published. The ids
#: are derived from content (a paper's normalised title, an entity's type and key), so two local
#: builds name the same entity alike; publish under your own namespace with ``--base-iri``.
DEFAULT_BASE_IRI = "https://w3id.org/kg/local/"

# Turtle's PN_LOCAL (the part after "paper:"), for the ASCII that percent-encoded ids are made of:
# letters, digits, "_", "%XX", "-" (not first) and "." (not first or last); "~" would need an escape.
_PLX = "%[0-9A-Fa-f]{2}"
_FIRST, _MID, _LAST = f"(?:[A-Za-z0-9_]|{_PLX})", f"(?:[A-Za-z0-9_.-]|{_PLX})", f"(?:[A-Za-z0-9_-]|{_PLX})"
#: A whole local name.
LOCAL_NAME = re.compile(f"{_FIRST}(?:{_MID}*{_LAST})?")
#: May start a local name that goes on after it.
LOCAL_HEAD = re.compile(f"{_FIRST}{_MID}*")
#: May stand inside a local name.
LOCAL_BODY = re.compile(f"{_MID}*")
#: May end a local name that started before it.
LOCAL_TAIL = re.compile(f"{_MID}*{_LAST}")


def segment(node_id: Any) -> str:
    """A kg id as an IRI path segment: unreserved characters kept, the rest percent-encoded.

    >>> segment("P-1/2 x~")
    'P-1%2F2%20x~'
    """
    return quote(str(node_id), safe="-_~")


def paper_iri(paper_id: str, base_iri: str = DEFAULT_BASE_IRI) -> URIRef:
    """The IRI of a paper node.

    >>> str(paper_iri("P-0123456789abcdef"))
    'https://w3id.org/kg/local/paper/P-0123456789abcdef'
    """
    return URIRef(f"{base_iri}paper/{segment(paper_id)}")


def entity_iri(entity_id: str, base_iri: str = DEFAULT_BASE_IRI) -> URIRef:
    """The IRI of an entity node.

    >>> str(entity_iri("method-2300a13449936cae", "https://example.org/kg/"))
    'https://example.org/kg/entity/method-2300a13449936cae'
    """
    return URIRef(f"{base_iri}entity/{segment(entity_id)}")


def default_graph_iri(base_iri: str = DEFAULT_BASE_IRI) -> str:
    """The named graph TriG, N-Quads and ``kg push`` use unless told otherwise: ``<base>graph``.

    >>> default_graph_iri("https://example.org/kg/")
    'https://example.org/kg/graph'
    """
    return f"{base_iri}graph"


def dataset_iri(base_iri: str = DEFAULT_BASE_IRI) -> str:
    """The IRI of the export's own description (its co-occurrence threshold): ``<base>dataset``.

    >>> dataset_iri("https://example.org/kg/")
    'https://example.org/kg/dataset'
    """
    return f"{base_iri}dataset"


def check_iri(iri: str, what: str) -> str:
    """Return *iri* if it is a valid absolute IRI, else raise :class:`~kg.errors.ArgumentError`.

    >>> check_iri("urn:x y", "graph IRI")
    Traceback (most recent call last):
    ...
    kg.errors.ArgumentError: graph IRI 'urn:x y' is not a valid absolute IRI (...)
    """
    try:
        ox.NamedNode(iri)
    except (ValueError, TypeError) as exc:
        raise ArgumentError(f"{what} {iri!r} is not a valid absolute IRI ({exc})",
                            hint="use something like https://example.org/kg/") from None
    return iri


def check_base(base_iri: str) -> str:
    """Return *base_iri* if it is an absolute IRI ending with ``/`` or ``#``, else raise :class:`~kg.errors.ArgumentError`.

    >>> check_base("https://example.org/kg")
    Traceback (most recent call last):
    ...
    kg.errors.ArgumentError: base IRI 'https://example.org/kg' must end with '/' or '#' (use 'https://example.org/kg/')
    """
    check_iri(base_iri, "base IRI")
    if not base_iri.endswith(("/", "#")):
        raise ArgumentError(f"base IRI {base_iri!r} must end with '/' or '#'",
                            hint=f"use {base_iri + '/'!r}")
    return base_iri
