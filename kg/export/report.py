"""A report of a build for a reader: one offline HTML page (or Markdown) that summarises the graph.

What it says: the counts; the top methods, datasets, tasks and metrics with
their papers; each community with its label and top entities; what the papers
propose; papers per year and trending entities where papers have years. The
charts are inline SVG drawn here (no script, no CDN); the page's
Content-Security-Policy forbids every request and every script.

Titles, labels and names are data: every one is escaped for HTML (and SVG)
or for Markdown, never interpreted.

>>> from kg.types import Paper, Mention
>>> from kg.graph import build_graph
>>> p = Paper(id="P-1", title="<b>T</b>", abstract="We propose BERT.")
>>> m = Mention("P-1", "abstract", 11, 15, "BERT", "method", p.abstract, 0, role="proposes")
>>> data = report_data(build_graph([(p, [m], [])]))
>>> data["counts"]["papers"], data["top"]["method"][0]["label"]
(1, 'BERT')
>>> "<b>T</b>" in render_html(data), "&lt;b&gt;T&lt;/b&gt;" in render_html(data)
(False, True)
"""

from __future__ import annotations

import html as _html
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx

from .._io import atomic_write
from ..communities import read_communities
from ..errors import ArgumentError
from ..graph import CO_OCCURS, ENTITY, MENTION, PAPER, RELATION_KEYS
from ..trends import papers_per_year, trending

__all__ = ["REPORT_FORMATS", "render_html", "render_markdown", "report_data", "write_report"]

#: Format name -> default file name.
REPORT_FORMATS = {"html": "report.html", "md": "report.md"}
_TOP = 10
_TOP_TYPES = ("method", "dataset", "task", "metric")
_COMMUNITIES = 15
_PROPOSALS = 40
_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'; "
        "connect-src 'none'; base-uri 'none'; form-action 'none'")
_COLOURS = {"method": "#4e79a7", "dataset": "#f28e2b", "task": "#59a14f", "metric": "#e15759",
            "concept": "#b07aa1", "paper": "#9d9d9d"}


def report_data(G: nx.MultiDiGraph) -> dict[str, Any]:
    """What the report says about *G*, as plain data (JSON-ready)."""
    papers = [n for n, k in G.nodes(data="kind") if k == PAPER]
    entities = [n for n, k in G.nodes(data="kind") if k == ENTITY]
    by_type = Counter(G.nodes[e].get("type") or "entity" for e in entities)
    edges = Counter(k for _, _, k in G.edges(keys=True))
    communities = read_communities(G) if entities else []
    per_year = papers_per_year(G)
    return {
        "counts": {
            "papers": len(papers), "entities": len(entities),
            "types": {t: by_type[t] for t in sorted(by_type, key=lambda t: (-by_type[t], t))},
            "mentions": edges.get(MENTION, 0), "co_occurrences": edges.get(CO_OCCURS, 0),
            "relations": sum(edges.get(k, 0) for k in RELATION_KEYS),
            "communities": len(communities), "communities_10": sum(1 for c in communities if c.size >= 10),
            "dated_papers": sum(per_year.values()),
        },
        "top": {t: _top_entities(G, entities, t) for t in _TOP_TYPES},
        "communities": [_community(G, c) for c in communities[:_COMMUNITIES] if c.size >= 3],
        "proposals": _proposals(G, papers),
        "years": {str(y): c for y, c in per_year.items()},
        "trending": [{"label": t.label, "type": t.type, "growth": t.growth, "recent": t.recent,
                      "earlier": t.earlier} for t in trending(G, top=_TOP)],
    }


def _label(G: nx.MultiDiGraph, n: str) -> str:
    d = G.nodes[n]
    return str(d.get("label") or d.get("title") or n)


def _papers_of(G: nx.MultiDiGraph, e: str) -> list[tuple[str, str]]:
    """(paper id, role) of the papers mentioning *e*, proposers first."""
    rank = {"proposes": 0, "evaluates_on": 1, "uses": 2}
    rows = [(p, keys[MENTION].get("role") or "") for p, keys in G._pred[e].items() if MENTION in keys]
    rows.sort(key=lambda r: (rank.get(r[1], 3), _label(G, r[0]).casefold(), r[0]))
    return rows


def _paper(G: nx.MultiDiGraph, p: str, role: str = "") -> dict[str, Any]:
    d = G.nodes[p]
    url = d.get("url")
    return {"title": _label(G, p), "url": url if isinstance(url, str) and re.fullmatch(r"https?://[^\s\"'<>\\]+", url) else "",
            "date": str(d.get("date") or ""), "role": role}


def _top_entities(G: nx.MultiDiGraph, entities: list[str], etype: str) -> list[dict[str, Any]]:
    ranked = sorted((e for e in entities if G.nodes[e].get("type") == etype),
                    key=lambda e: (-(G.nodes[e].get("papers") or 0), _label(G, e).casefold(), e))[:_TOP]
    out = []
    for e in ranked:
        rows = _papers_of(G, e)
        out.append({"label": _label(G, e), "papers": G.nodes[e].get("papers") or 0,
                    "proposed_by": sum(1 for _, r in rows if r == "proposes"),
                    "examples": [_paper(G, p, r) for p, r in rows[:3]]})
    return out


def _community(G: nx.MultiDiGraph, c: Any) -> dict[str, Any]:
    return {"id": c.id, "label": c.label, "size": c.size, "papers": len(c.papers),
            "top": [_label(G, e) for e in c.entities[:8]],
            "examples": [_paper(G, p) for p in c.papers[:3]]}


def _proposals(G: nx.MultiDiGraph, papers: list[str]) -> dict[str, Any]:
    rows = []
    by_type: Counter[str] = Counter()
    for p in papers:
        proposed = [e for e, keys in G._succ[p].items() if MENTION in keys and keys[MENTION].get("role") == "proposes"]
        if proposed:
            by_type.update(G.nodes[e].get("type") or "entity" for e in proposed)
            rows.append((p, sorted(proposed, key=lambda e: (_label(G, e).casefold(), e))))
    rows.sort(key=lambda r: (-len(r[1]), _label(G, r[0]).casefold(), r[0]))
    return {"papers": len(rows), "by_type": {t: by_type[t] for t in sorted(by_type, key=lambda t: (-by_type[t], t))},
            "list": [{**_paper(G, p), "proposes": [{"label": _label(G, e), "type": G.nodes[e].get("type")}
                                                     for e in es[:8]]} for p, es in rows[:_PROPOSALS]]}


# -- HTML ----------------------------------------------------------------------
def _e(value: Any) -> str:
    return _html.escape(str(value), quote=True)


def _bars(items: list[tuple[str, float]], colour: str, *, width: int = 640, unit: str = "") -> str:
    """A horizontal bar chart as inline SVG (labels escaped)."""
    if not items:
        return ""
    row, label_w = 20, 230
    top = max(v for _, v in items) or 1
    h = row * len(items) + 4
    parts = [f'<svg class="chart" role="img" width="{width}" height="{h}" viewBox="0 0 {width} {h}">']
    for k, (label, v) in enumerate(items):
        y = k * row + 2
        w = max(1.0, (width - label_w - 60) * v / top)
        text = label if len(label) <= 34 else label[:33] + "…"
        parts.append(f'<g><title>{_e(label)}: {_e(v)}{_e(unit)}</title>'
                     f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{_e(text)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{colour}"/>'
                     f'<text x="{label_w + w + 4:.1f}" y="{y + 14}">{_e(v)}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _columns(items: list[tuple[str, int]], colour: str, *, height: int = 160) -> str:
    """A column chart (papers per year) as inline SVG."""
    if not items:
        return ""
    col = max(14, min(48, 640 // len(items)))
    width = col * len(items) + 20
    top = max(v for _, v in items) or 1
    parts = [f'<svg class="chart" role="img" width="{width}" height="{height + 34}" viewBox="0 0 {width} {height + 34}">']
    for k, (label, v) in enumerate(items):
        h = max(1.0, height * v / top)
        x = 10 + k * col
        parts.append(f'<g><title>{_e(label)}: {v}</title>'
                     f'<rect x="{x + 2}" y="{height - h + 14:.1f}" width="{col - 4}" height="{h:.1f}" fill="{colour}"/>'
                     f'<text x="{x + col / 2}" y="{height - h + 10:.1f}" text-anchor="middle">{v}</text>'
                     f'<text x="{x + col / 2}" y="{height + 28}" text-anchor="middle">{_e(label)}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _link(p: dict[str, Any]) -> str:
    title = _e(p["title"])
    return f'<a href="{_e(p["url"])}" rel="noopener noreferrer">{title}</a>' if p["url"] else title


_STYLE = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 0; }
main { max-width: 980px; margin: 0 auto; padding: 18px 24px 40px; }
h1 { font-size: 24px; margin: 8px 0 4px; } h2 { font-size: 19px; margin: 30px 0 8px; border-bottom: 1px solid #e3e3e3; }
h3 { font-size: 15px; margin: 18px 0 4px; }
.counts { display: flex; flex-wrap: wrap; gap: 10px; padding: 0; list-style: none; }
.counts li { background: #f5f6f8; border-radius: 6px; padding: 6px 12px; }
.counts b { font-size: 18px; display: block; }
.chart text { font: 12px system-ui, sans-serif; fill: #333; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 4px 24px; }
.muted { color: #666; font-size: 13px; } ol, ul { padding-left: 22px; } li { margin: 3px 0; }
.community { border-left: 4px solid #4e79a7; padding: 2px 0 2px 12px; margin: 12px 0; }
.tag { font-size: 12px; color: #555; background: #f0f0f0; border-radius: 4px; padding: 0 5px; margin-right: 4px; }
a { color: #1f5fb4; }
"""


def render_html(data: dict[str, Any], *, title: str = "kg report") -> str:
    """The report as one self-contained HTML page: no script, no request."""
    c = data["counts"]
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
           '<meta name="referrer" content="no-referrer">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body><main>",
           f"<h1>{_e(title)}</h1>",
           '<ul class="counts">']
    for label, value in [("papers", c["papers"]), ("entities", c["entities"]), ("mentions", c["mentions"]),
                         ("co-occurrence links", c["co_occurrences"]), ("relations", c["relations"]),
                         ("communities of 10+", c["communities_10"]), ("dated papers", c["dated_papers"])]:
        out.append(f"<li><b>{value:,}</b>{_e(label)}</li>")
    out.append("</ul>")
    out.append(_bars([(t, n) for t, n in c["types"].items()], "#76b7b2", unit=" entities"))

    out.append("<h2>Top entities</h2><p class=\"muted\">By the number of papers that mention them; "
               "the papers that propose one come first.</p><div class=\"grid\">")
    for etype, rows in data["top"].items():
        if not rows:
            continue
        out.append(f"<section><h3>{_e(etype.capitalize())}s</h3>")
        out.append(_bars([(r["label"], r["papers"]) for r in rows], _COLOURS.get(etype, "#888"), width=440,
                         unit=" papers"))
        out.append("<ol>")
        for r in rows[:5]:
            ex = "; ".join(_link(p) + (" <span class=\"tag\">proposes</span>" if p["role"] == "proposes" else "")
                           for p in r["examples"][:2])
            out.append(f"<li><b>{_e(r['label'])}</b> <span class=\"muted\">({r['papers']} papers)</span><br>"
                       f"<span class=\"muted\">{ex}</span></li>")
        out.append("</ol></section>")
    out.append("</div>")

    if data["communities"]:
        out.append("<h2>Communities</h2><p class=\"muted\">Entities that appear in the same papers "
                   "(Leiden on co-occurrence), named by their most distinctive entities.</p>")
        out.append(_bars([(k["label"], k["size"]) for k in data["communities"]], "#4e79a7", unit=" entities"))
        for k in data["communities"]:
            out.append(f'<div class="community"><h3>{_e(k["label"])}</h3>'
                       f'<p class="muted">{k["size"]:,} entities, {k["papers"]:,} papers</p>'
                       f'<p>{", ".join(_e(t) for t in k["top"])}</p>')
            if k["examples"]:
                out.append("<ul>" + "".join(f"<li>{_link(p)}</li>" for p in k["examples"]) + "</ul>")
            out.append("</div>")

    prop = data["proposals"]
    out.append(f"<h2>What the papers propose</h2><p class=\"muted\">{prop['papers']:,} papers propose "
               f"something new (a &ldquo;we propose&rdquo; or similar cue).</p>")
    out.append(_bars(list(prop["by_type"].items()), "#b07aa1", unit=" proposals"))
    if prop["list"]:
        out.append("<ul>")
        for p in prop["list"]:
            what = " ".join(f'<span class="tag">{_e(x["type"] or "")}</span>{_e(x["label"])}' for x in p["proposes"])
            out.append(f"<li>{_link(p)}<br><span class=\"muted\">proposes</span> {what}</li>")
        out.append("</ul>")

    out.append("<h2>Time</h2>")
    if data["years"]:
        out.append(_columns(list(data["years"].items()), "#59a14f"))
        if data["trending"]:
            out.append("<h3>Trending</h3><p class=\"muted\">Growth of the share of papers in the last "
                       "three years against the years before.</p>")
            out.append(_bars([(t["label"], round(100 * t["growth"], 1)) for t in data["trending"]], "#f28e2b",
                             unit=" points of share"))
    else:
        out.append("<p class=\"muted\">No paper has a year in its date, so there are no trends "
                   "(kg does not guess years: give a <code>date</code> or <code>year</code>).</p>")
    out.append("</main></body></html>\n")
    return "\n".join(out)


# -- Markdown ------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def _m(value: Any) -> str:
    """Markdown-escaped text on one line (no markup, no HTML, no table break)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split())).replace("&", "&amp;")


def _mlink(p: dict[str, Any]) -> str:
    """A Markdown link to a paper; ``|`` and backticks in its URL are percent-encoded (table cells)."""
    url = p["url"].replace("|", "%7C").replace("`", "%60")
    return f"[{_m(p['title'])}](<{url}>)" if url else _m(p["title"])


def render_markdown(data: dict[str, Any], *, title: str = "kg report") -> str:
    """The report as Markdown (tables and lists; every data string escaped)."""
    c = data["counts"]
    summary = (f"{c['papers']:,} papers, {c['entities']:,} entities, {c['mentions']:,} mentions, "
               f"{c['co_occurrences']:,} co-occurrence links, {c['relations']:,} relations, "
               f"{c['communities_10']:,} communities of 10 or more entities, {c['dated_papers']:,} dated papers.")
    out = [f"# {_m(title)}", "", summary, "", "| type | entities |", "|---|---:|"]
    out += [f"| {_m(t)} | {n:,} |" for t, n in c["types"].items()]
    out += ["", "## Top entities", ""]
    for etype, rows in data["top"].items():
        if not rows:
            continue
        out += [f"### {_m(etype.capitalize())}s", "", "| entity | papers | proposed by | example |", "|---|---:|---:|---|"]
        out += [f"| {_m(r['label'])} | {r['papers']} | {r['proposed_by']} | "
                f"{_mlink(r['examples'][0]) if r['examples'] else ''} |" for r in rows]
        out.append("")
    if data["communities"]:
        out += ["## Communities", ""]
        for k in data["communities"]:
            out += [f"### {_m(k['label'])}", "", f"{k['size']:,} entities, {k['papers']:,} papers: "
                    + ", ".join(_m(t) for t in k["top"]), ""]
    prop = data["proposals"]
    out += ["## What the papers propose", "", f"{prop['papers']:,} papers propose something new.", ""]
    out += [f"- {_mlink(p)}: " + ", ".join(f"{_m(x['label'])} ({_m(x['type'] or '')})" for x in p["proposes"])
            for p in prop["list"]]
    out += ["", "## Time", ""]
    if data["years"]:
        out += ["| year | papers |", "|---|---:|"] + [f"| {y} | {n} |" for y, n in data["years"].items()] + [""]
        if data["trending"]:
            out += ["| trending | type | growth (points of share) | recent papers |", "|---|---|---:|---:|"]
            out += [f"| {_m(t['label'])} | {_m(t['type'] or '')} | {100 * t['growth']:.1f} | {t['recent']} |"
                    for t in data["trending"]]
    else:
        out.append("No paper has a year in its date, so there are no trends.")
    return "\n".join(out) + "\n"


def write_report(G: nx.MultiDiGraph, path: str | os.PathLike[str], *, format: str = "html",
                 title: str = "kg report") -> Path:
    """Write the report of *G* to *path* (``format`` ``"html"`` or ``"md"``), atomically; returns the path.

    Raises :class:`~kg.errors.ArgumentError` for another format.
    """
    if format not in REPORT_FORMATS:
        raise ArgumentError(f"unknown report format {format!r}", hint="use one of: " + ", ".join(REPORT_FORMATS))
    data = report_data(G)
    text = render_html(data, title=title) if format == "html" else render_markdown(data, title=title)
    target = Path(path)
    with atomic_write(target) as f:
        f.write(text)
    return target
