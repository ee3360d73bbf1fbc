/* kg view: legend, type toggles, search, tooltips and the side panel around a drawing surface.
 *
 * Two surfaces draw the same data: vis-network (from pyvis) for views small enough for it,
 * with physics where wanted, and a lean canvas renderer for large views, where vis-network
 * spends about 50 microseconds per node or edge before its first frame.
 * Every string from the graph reaches the page through textContent, never as HTML. */
(function () {
  "use strict";
  performance.mark("kg:start");

  function readJSON(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function safeLink(url, text) {
    if (typeof url === "string" && /^https?:\/\/[^\s"'<>\\]+$/i.test(url)) {
      var a = el("a", null, text);
      a.href = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      return a;
    }
    return el("span", null, text);
  }

  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  var visNodes = readJSON("kg-nodes");
  var visEdges = readJSON("kg-edges");
  var options = readJSON("kg-options");
  var meta = readJSON("kg-meta");
  var info = meta.nodes;
  var papers = meta.papers;
  performance.mark("kg:data");

  var state = { drawn: false, firstDraw: null, selected: null, hiddenTypes: {} };
  var neighbours = info.map(function () { return []; });
  visEdges.forEach(function (e) {
    neighbours[e.from].push(e.to);
    neighbours[e.to].push(e.from);
  });
  var paperNode = {};
  info.forEach(function (m, i) { if (m.paper !== undefined) paperNode[m.paper] = i; });

  var container = document.getElementById("kg-network");
  var surface = meta.renderer === "vis" && typeof vis !== "undefined"
    ? visSurface(container, visNodes, visEdges, options)
    : canvasSurface(container, visNodes, visEdges, options);
  performance.mark("kg:surface");
  surface.onFirstDraw(function () {
    state.firstDraw = performance.now();
    state.drawn = true;
    document.documentElement.setAttribute("data-kg-drawn", "1");
  });

  /* -- colours: by community (default where there are communities) or by type -- */
  var communities = meta.communities || [];
  var communityColour = {};
  communities.forEach(function (c) { communityColour[c.id] = c.color; });
  function colourOf(i, by) {
    var m = info[i];
    if (by === "community" && m.community !== undefined) return communityColour[m.community] || meta.communityOther;
    return (meta.typeColors || {})[m.type] || "#76b7b2";
  }
  state.colorBy = meta.colorBy || "type";
  function setColorBy(by) {
    state.colorBy = by;
    surface.setColours(info.map(function (_, i) { return colourOf(i, by); }));
    var radios = legend.querySelectorAll("input[name=kg-colour]");
    for (var r = 0; r < radios.length; r++) radios[r].checked = radios[r].value === by;
    legend.setAttribute("data-colour", by);
  }

  /* -- legend and type toggles ------------------------------------------ */
  var legend = document.getElementById("kg-legend");
  var toggles = {};
  if (communities.length) {
    var modes = el("div", "kg-colour-by");
    modes.appendChild(el("span", "kg-colour-title", "Colour by"));
    ["community", "type"].forEach(function (by) {
      var lab = el("label", "kg-colour-mode");
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "kg-colour";
      radio.value = by;
      radio.checked = by === state.colorBy;
      radio.addEventListener("change", function () { if (radio.checked) setColorBy(by); });
      lab.appendChild(radio);
      lab.appendChild(el("span", null, by));
      modes.appendChild(lab);
    });
    legend.appendChild(modes);
  }
  legend.setAttribute("data-colour", state.colorBy);
  meta.types.forEach(function (t) {
    var row = el("label", "kg-type");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-type", t.name);
    box.addEventListener("change", function () { setTypeVisible(t.name, box.checked); });
    var swatch = el("span", "kg-swatch" + (t.name === "paper" ? " kg-square" : ""));
    swatch.style.backgroundColor = t.color;
    row.appendChild(box);
    row.appendChild(swatch);
    row.appendChild(el("span", "kg-type-name", t.name));
    row.appendChild(el("span", "kg-type-count", t.count.toLocaleString("en")));
    legend.appendChild(row);
    toggles[t.name] = box;
  });
  if (communities.length) {
    var clist = el("ol", "kg-communities");
    communities.slice(0, 10).forEach(function (c) {
      var li = el("li", "kg-community");
      var sw = el("span", "kg-swatch");
      sw.style.backgroundColor = c.color;
      li.appendChild(sw);
      li.appendChild(el("span", "kg-community-label", c.label));
      li.appendChild(el("span", "kg-type-count", c.size.toLocaleString("en")));
      li.title = c.label + " (" + plural(c.size, "entity") + " in the graph, " + c.count + " drawn)";
      clist.appendChild(li);
    });
    if (communities.length > 10) clist.appendChild(el("li", "kg-community-more", "and " + (communities.length - 10) + " more"));
    legend.appendChild(clist);
  }
  legend.appendChild(el("p", "kg-counts",
    plural(meta.counts.nodes, "node") + ", " + plural(meta.counts.edges, "link")));

  /* A node is drawn unless its type is switched off or it has no paper in the chosen years. */
  function applyFilters() {
    var hide = [], show = [], range = state.years;
    for (var i = 0; i < info.length; i++) {
      var m = info[i], off = !!state.hiddenTypes[m.type];
      if (!off && range) {
        if (m.year !== undefined) off = m.year < range[0] || m.year > range[1];
        else if (m.years) off = !m.years.some(function (y) { return y >= range[0] && y <= range[1]; });
        else off = true;  // no dated paper at all
      }
      (off ? hide : show).push(i);
    }
    surface.setHidden(hide, true);
    surface.setHidden(show, false);
    if (state.selected !== null && surface.isHidden(state.selected)) clearSelection();
  }

  function setTypeVisible(type, visible) {
    state.hiddenTypes[type] = !visible;
    if (toggles[type]) toggles[type].checked = visible;
    applyFilters();
  }

  /* -- the year range, where papers have years ---------------------------------- */
  state.years = null;
  function setYears(from, to) {
    var r = meta.yearRange;
    from = Math.max(r[0], Math.min(from, r[1]));
    to = Math.max(from, Math.min(to, r[1]));
    state.years = from === r[0] && to === r[1] ? null : [from, to];
    yearFrom.value = from;
    yearTo.value = to;
    yearText.textContent = from === to ? String(from) : from + "–" + to;
    applyFilters();
  }
  var yearFrom = null, yearTo = null, yearText = null;
  if (meta.yearRange) {
    var yearsBox = el("div", "kg-years");
    yearsBox.id = "kg-years";
    yearsBox.appendChild(el("span", "kg-years-title", "Years"));
    yearFrom = document.createElement("input");
    yearTo = document.createElement("input");
    [yearFrom, yearTo].forEach(function (inp, k) {
      inp.type = "range";
      inp.min = meta.yearRange[0];
      inp.max = meta.yearRange[1];
      inp.step = 1;
      inp.value = meta.yearRange[k];
      inp.id = k ? "kg-year-to" : "kg-year-from";
      inp.setAttribute("aria-label", k ? "last year" : "first year");
      inp.addEventListener("input", function () {
        var a = +yearFrom.value, b = +yearTo.value;
        if (a > b) { if (k) a = b; else b = a; }
        setYears(a, b);
      });
    });
    yearText = el("span", "kg-years-text", meta.yearRange[0] + "–" + meta.yearRange[1]);
    yearsBox.appendChild(yearFrom);
    yearsBox.appendChild(yearTo);
    yearsBox.appendChild(yearText);
    document.getElementById("kg-header").insertBefore(yearsBox, document.getElementById("kg-search-box"));
  }

  function visibleCount(type) {
    var n = 0;
    for (var i = 0; i < info.length; i++) {
      if (!surface.isHidden(i) && (type === undefined || info[i].type === type)) n++;
    }
    return n;
  }

  /* -- selection: neighbourhood highlight and side panel ------------------- */
  function select(i) {
    state.selected = i;
    var keep = new Set(neighbours[i]);
    keep.add(i);
    surface.highlight(i, keep);
    showPanel(i);
  }

  function clearSelection() {
    state.selected = null;
    state.undrawn = null;
    surface.highlight(null, null);
    closePanel();
  }

  var main = document.getElementById("kg-main");
  function openPanel() {
    panel.hidden = false;
    panel.scrollTop = 0;
    main.classList.add("kg-panel-open");  // the drawing shrinks beside the panel instead of under it
  }
  function closePanel() {
    panel.hidden = true;
    main.classList.remove("kg-panel-open");
  }

  function focusNode(i) {
    var m = info[i];
    if (state.hiddenTypes[m.type]) setTypeVisible(m.type, true);
    if (surface.isHidden(i) && meta.yearRange) setYears(meta.yearRange[0], meta.yearRange[1]);
    select(i);
    surface.focus(i);
  }

  surface.onClick(function (i) {
    hideTip();
    state.undrawn = null;
    if (i === null) clearSelection();
    else select(i);
  });

  var panel = document.getElementById("kg-panel");
  var panelBody = document.getElementById("kg-panel-body");
  document.getElementById("kg-panel-close").addEventListener("click", clearSelection);

  function paperItem(ref) {
    var p = papers[ref];
    var li = el("li", "kg-paper");
    li.appendChild(safeLink(p.url, p.title));
    var bits = [p.date, p.authors].filter(function (x) { return x; });
    if (bits.length) li.appendChild(el("div", "kg-paper-meta", bits.join(" · ")));
    if (paperNode[ref] !== undefined && paperNode[ref] !== state.selected) {
      var go = el("button", "kg-go", "show");
      go.type = "button";
      go.title = "Show this paper in the graph";
      go.addEventListener("click", function () { focusNode(paperNode[ref]); });
      li.appendChild(go);
    }
    return li;
  }

  function showPanel(i) {
    var m = info[i];
    panelBody.replaceChildren();
    panelBody.appendChild(el("div", "kg-panel-type", m.type));
    if (m.paper !== undefined) {
      var p = papers[m.paper];
      var h = el("h2");
      h.appendChild(safeLink(p.url, p.title));
      panelBody.appendChild(h);
      var bits = [p.date, p.authors].filter(function (x) { return x; });
      if (bits.length) panelBody.appendChild(el("p", "kg-paper-meta", bits.join(" · ")));
      if (m.evidence) panelBody.appendChild(el("p", "kg-abstract", m.evidence));
      panelBody.appendChild(el("h3", null, plural(m.entities.length + m.more, "entity")));
      var ul = el("ul", "kg-list");
      m.entities.forEach(function (label) { ul.appendChild(el("li", null, label)); });
      if (m.more) ul.appendChild(el("li", "kg-more", "and " + m.more + " more"));
      panelBody.appendChild(ul);
    } else {
      panelBody.appendChild(el("h2", null, m.label));
      panelBody.appendChild(el("p", "kg-panel-counts",
        plural(m.papers, "paper") + " · " + plural(m.mentions, "mention") + " · " +
        plural(m.links, "link") + " in the graph, " + m.degree + " drawn here"));
      if (m.community !== undefined && communityById[m.community]) {
        panelBody.appendChild(el("p", "kg-panel-community", "Community: " + communityById[m.community].label));
      }
      if (m.aliases && m.aliases.length) {
        panelBody.appendChild(el("p", "kg-aliases", "Also written: " + m.aliases.join("; ")));
      }
      if (m.evidence) panelBody.appendChild(el("blockquote", "kg-evidence", m.evidence));
      panelBody.appendChild(el("h3", null, "Papers"));
      var list = el("ul", "kg-list");
      m.refs.forEach(function (ref) { list.appendChild(paperItem(ref)); });
      if (m.more) list.appendChild(el("li", "kg-more", "and " + m.more + " more"));
      panelBody.appendChild(list);
    }
    openPanel();
  }

  var communityById = {};
  communities.forEach(function (c) { communityById[c.id] = c; });

  /* A search hit that is not drawn: what the graph knows, its drawn neighbours, its own view. */
  function showUndrawn(row) {
    var r = searchRows[row];
    state.selected = null;
    state.undrawn = row;
    var near = new Set(r[3]);
    surface.highlight(null, near.size ? near : null);
    panelBody.replaceChildren();
    panelBody.appendChild(el("div", "kg-panel-type", r[1]));
    var ref = r[4] >= 0 ? papers[r[4]] : null;
    if (ref) {
      var h = el("h2");
      h.appendChild(safeLink(ref.url, ref.title));
      panelBody.appendChild(h);
      var bits = [ref.date, ref.authors].filter(function (x) { return x; });
      if (bits.length) panelBody.appendChild(el("p", "kg-paper-meta", bits.join(" · ")));
    } else {
      panelBody.appendChild(el("h2", null, r[0]));
      panelBody.appendChild(el("p", "kg-panel-counts", plural(r[2], "paper") + " in the graph"));
    }
    panelBody.appendChild(el("p", "kg-undrawn",
      "Not drawn in this view (it keeps the " + meta.counts.nodes.toLocaleString("en") + " " +
      (meta.center !== null && meta.center !== undefined ? "nearest" : "most connected") + " of " +
      meta.counts.total.toLocaleString("en") + ")."));
    if (r[3].length) {
      panelBody.appendChild(el("h3", null, "Its neighbourhood here"));
      var ul = el("ul", "kg-list");
      r[3].forEach(function (j) {
        var li = el("li", null, info[j].label);
        var go = el("button", "kg-go", "show");
        go.type = "button";
        go.addEventListener("click", function () { focusNode(j); });
        li.appendChild(go);
        ul.appendChild(li);
      });
      panelBody.appendChild(ul);
    } else {
      panelBody.appendChild(el("p", "kg-undrawn", "Nothing it links to is drawn here."));
    }
    panelBody.appendChild(el("h3", null, "Its own view"));
    panelBody.appendChild(el("code", "kg-command", "kg view " + JSON.stringify(r[0])));
    openPanel();
  }

  /* -- tooltips ------------------------------------------------------------ */
  var tip = document.getElementById("kg-tip");

  function showTip(i, pos) {
    var m = info[i];
    tip.replaceChildren();
    tip.appendChild(el("strong", null, m.label));
    var line = m.paper !== undefined
      ? "paper · " + plural(m.entities.length + m.more, "entity")
      : m.type + " · " + plural(m.papers, "paper") + " · " + plural(m.mentions, "mention");
    tip.appendChild(el("div", "kg-tip-meta", line));
    if (m.evidence) tip.appendChild(el("div", "kg-tip-evidence", m.evidence));
    tip.hidden = false;
    var box = container.getBoundingClientRect();
    var x = Math.min(pos.x + 14, box.width - tip.offsetWidth - 8);
    var y = pos.y + 14 + tip.offsetHeight > box.height ? pos.y - tip.offsetHeight - 10 : pos.y + 14;
    tip.style.left = Math.max(4, x) + "px";
    tip.style.top = Math.max(4, y) + "px";
  }

  function hideTip() { tip.hidden = true; }

  surface.onHover(showTip, hideTip);
  // leaving a node for the legend, header or panel (drawn over the canvas) hides its tooltip
  document.addEventListener("pointermove", function (ev) {
    if (!tip.hidden && !(container.contains(ev.target) && ev.target.tagName === "CANVAS")) {
      hideTip();
      surface.unhover();
    }
  }, true);
  container.addEventListener("pointerleave", function () { hideTip(); surface.unhover(); });

  /* -- search --------------------------------------------------------------- */
  var input = document.getElementById("kg-search");
  var results = document.getElementById("kg-results");
  var entries = [];  // [text, node (or -1 - row for a node not drawn), alias]
  info.forEach(function (m, i) {
    entries.push([m.label.toLowerCase(), i, null]);
    (m.aliases || []).forEach(function (a) { entries.push([a.toLowerCase(), i, a]); });
  });
  var searchRows = (meta.search && meta.search.rows) || [];
  searchRows.forEach(function (r, k) {
    entries.push([r[0].toLowerCase(), -1 - k, null]);
    (r[6] || []).forEach(function (a) { entries.push([a.toLowerCase(), -1 - k, a]); });
  });
  var grams = null;

  function bigrams(text) {
    var out = new Map(), t = " " + text + " ";
    for (var j = 0; j < t.length - 1; j++) { var g = t.substr(j, 2); out.set(g, (out.get(g) || 0) + 1); }
    return out;
  }

  // Dice similarity of character bigrams: typo-tolerant, like `kg query find`
  function similarity(qg, qn, k) {
    if (grams === null) grams = new Array(entries.length);
    var g = grams[k] || (grams[k] = bigrams(entries[k][0]));
    var common = 0;
    qg.forEach(function (c, b) { var o = g.get(b); if (o) common += Math.min(c, o); });
    return 2 * common / (qn + entries[k][0].length + 1);
  }

  function hitInfo(node) {
    if (node >= 0) return { label: info[node].label, type: info[node].type, papers: info[node].papers || 0, drawn: true };
    var r = searchRows[-1 - node];
    return { label: r[0], type: r[1], papers: r[2], drawn: false };
  }
  var active = -1;
  var shown = [];

  function search(query, limit) {
    var q = String(query).trim().toLowerCase();
    if (!q) return [];
    var best = {}, qg = q.length >= 3 ? bigrams(q) : null, found = 0;
    for (var k = 0; k < entries.length; k++) {
      var text = entries[k][0];
      var at = text.indexOf(q), rank;
      if (at >= 0) {
        rank = text === q ? 0 : at === 0 ? 1 : /[\s\-_(\/]/.test(text.charAt(at - 1)) ? 2 : 3;
        found++;
      } else if (qg !== null && Math.abs(text.length - q.length) <= Math.max(3, q.length)) {
        var sim = similarity(qg, q.length, k);
        if (sim < 0.5) continue;
        rank = 5 - sim;
      } else continue;
      if (entries[k][2] !== null) rank += 0.5;
      var i = entries[k][1];
      if (!(i in best) || rank < best[i].rank) best[i] = { node: i, rank: rank, alias: entries[k][2] };
    }
    var hits = Object.keys(best).map(function (i) { var h = best[i]; h.info = hitInfo(h.node); return h; });
    hits.sort(function (a, b) {
      return a.rank - b.rank || (b.info.drawn - a.info.drawn) || b.info.papers - a.info.papers ||
        (a.info.label < b.info.label ? -1 : a.info.label > b.info.label ? 1 : 0) || a.node - b.node;
    });
    return hits.slice(0, limit || 12);
  }

  function renderResults() {
    results.replaceChildren();
    shown.forEach(function (hit, k) {
      var li = el("li", k === active ? "kg-active" : null);
      li.setAttribute("role", "option");
      li.appendChild(el("span", "kg-result-label", hit.info.label));
      li.appendChild(el("span", "kg-result-type", hit.info.type));
      if (hit.alias) li.appendChild(el("span", "kg-result-alias", "as " + hit.alias));
      if (!hit.info.drawn) li.appendChild(el("span", "kg-result-undrawn", "not drawn"));
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(k); });
      results.appendChild(li);
    });
    if (!shown.length && input.value.trim()) results.appendChild(el("li", "kg-none", "No match"));
    results.hidden = !input.value.trim();
  }

  function choose(k) {
    var hit = shown[k];
    if (!hit) return;
    results.hidden = true;
    input.blur();
    if (hit.node >= 0) focusNode(hit.node);
    else showUndrawn(-1 - hit.node);
  }

  input.addEventListener("input", function () {
    shown = search(input.value);
    active = shown.length ? 0 : -1;
    renderResults();
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { ev.preventDefault(); choose(active < 0 ? 0 : active); }
    else if (ev.key === "ArrowDown" && shown.length) { ev.preventDefault(); active = (active + 1) % shown.length; renderResults(); }
    else if (ev.key === "ArrowUp" && shown.length) { ev.preventDefault(); active = (active + shown.length - 1) % shown.length; renderResults(); }
    else if (ev.key === "Escape") { results.hidden = true; input.blur(); }
  });
  input.addEventListener("blur", function () { results.hidden = true; });
  input.addEventListener("focus", function () { if (input.value.trim()) renderResults(); });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" && document.activeElement !== input) clearSelection();
  });

  if (meta.center !== null && meta.center !== undefined) {
    surface.onFirstDraw(function () { select(meta.center); });
  }

  /* For tests, benchmarks and the curious: the page's state and actions. */
  window.kgView = {
    renderer: surface.name, meta: meta, state: state, surface: surface,
    search: search, focusNode: focusNode, select: select, clearSelection: clearSelection,
    setTypeVisible: setTypeVisible, visibleCount: visibleCount, setColorBy: setColorBy, setYears: setYears,
    showUndrawn: showUndrawn, colourOf: function (i) { return surface.colour(i); },
    drawnCount: function () { return surface.drawnCount(); },
    domPosition: function (i) { return surface.domPosition(i); },
    fit: function () { surface.fit(); }
  };

  /* == surfaces ============================================================== */

  /* vis-network, as pyvis ships it. */
  function visSurface(container, visNodes, visEdges, options) {
    var nodes = new vis.DataSet(visNodes);
    var edges = new vis.DataSet(visEdges);
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
    var hidden = new Uint8Array(visNodes.length);
    var dimmed = new Uint8Array(visNodes.length);
    var firstDraw = [];
    var drawn = false;
    network.once("afterDrawing", function () {
      drawn = true;
      firstDraw.forEach(function (f) { f(); });
    });
    if (options.physics && options.physics.enabled) {
      network.once("stabilizationIterationsDone", function () { network.fit(); });
    }
    var hovered = null, colours = visNodes.map(function (v) { return typeof v.color === "string" ? v.color : v.color.background; });
    network.on("hoverNode", function (p) { hovered = p.node; });
    network.on("blurNode", function () { hovered = null; });
    if (typeof ResizeObserver !== "undefined") {
      // the side panel narrows the drawing: resize the canvas at once, not at vis-network's next poll
      new ResizeObserver(function () { network.setSize("100%", "100%"); network.redraw(); }).observe(container);
    }
    return {
      name: "vis", network: network, nodes: nodes, edges: edges,
      onFirstDraw: function (f) { if (drawn) f(); else firstDraw.push(f); },
      onClick: function (f) {
        network.on("click", function (p) {
          // where nodes overlap, a click picks the node whose tooltip shows
          if (p.nodes.length) f(hovered !== null ? hovered : p.nodes[0]);
          else if (!p.edges.length) f(null);
        });
      },
      unhover: function () { hovered = null; },
      colour: function (i) { return colours[i]; },
      setColours: function (cs) {
        colours = cs.slice();
        nodes.update(cs.map(function (c, i) {
          return { id: i, color: visNodes[i].borderWidth ? { background: c, border: "#222" } : c };
        }));
      },
      onHover: function (show, hide) {
        network.on("hoverNode", function (p) { show(p.node, p.pointer.DOM); });
        network.on("blurNode", hide);
        network.on("dragStart", hide);
        network.on("zoom", hide);
      },
      setHidden: function (ids, flag) {
        nodes.update(ids.map(function (i) { hidden[i] = flag ? 1 : 0; return { id: i, hidden: flag }; }));
      },
      isHidden: function (i) { return hidden[i] === 1; },
      drawnCount: function () { return network.body.nodeIndices.length; },
      highlight: function (center, keep) {
        var update = [];
        for (var i = 0; i < visNodes.length; i++) {
          var dim = keep !== null && !keep.has(i) ? 1 : 0;
          if (dim !== dimmed[i]) {
            dimmed[i] = dim;
            update.push(dim ? { id: i, opacity: 0.15, font: { color: "rgba(34,34,34,0.25)" } }
                            : { id: i, opacity: 1, font: { color: "#222222" } });
          }
        }
        if (update.length) nodes.update(update);
        if (center === null) network.unselectAll();
        else network.selectNodes([center]);
      },
      domPosition: function (i) { return network.canvasToDOM(network.getPositions([i])[i]); },
      fit: function () { network.fit(); },
      focus: function (i) {
        network.focus(i, { scale: Math.max(network.getScale(), 1.2),
                           animation: { duration: 350, easingFunction: "easeInOutQuad" } });
      }
    };
  }

  /* A canvas renderer for large views: batched paths, a spatial grid for hit tests,
   * labels by importance without overlap. Pan by dragging, zoom with the wheel. */
  function canvasSurface(container, visNodes, visEdges, options) {
    var n = visNodes.length, m = visEdges.length;
    var X = new Float64Array(n), Y = new Float64Array(n), R = new Float64Array(n), F = new Float64Array(n);
    var colour = new Array(n), square = new Uint8Array(n), hidden = new Uint8Array(n);
    var border = new Uint8Array(n);
    var sc = (options.nodes && options.nodes.scaling) || { min: 6, max: 36, label: { min: 12, max: 24, drawThreshold: 6 } };
    var lab = sc.label || { min: 12, max: 24, drawThreshold: 6 };
    var vmin = Infinity, vmax = -Infinity;
    visNodes.forEach(function (v) { var x = v.value || 1; if (x < vmin) vmin = x; if (x > vmax) vmax = x; });
    visNodes.forEach(function (v, i) {
      X[i] = v.x; Y[i] = v.y;
      var t = vmax > vmin ? ((v.value || 1) - vmin) / (vmax - vmin) : 0.5;
      R[i] = sc.min + (sc.max - sc.min) * t;
      F[i] = lab.min + (lab.max - lab.min) * t;
      colour[i] = typeof v.color === "string" ? v.color : (v.color && v.color.background) || "#97c2fc";
      square[i] = v.shape === "square" ? 1 : 0;
      border[i] = v.borderWidth ? 1 : 0;
    });
    var E0 = new Int32Array(m), E1 = new Int32Array(m), special = [];
    visEdges.forEach(function (e, k) {
      E0[k] = e.from; E1[k] = e.to;
      if (e.arrows) special.push(k);
    });
    var isSpecial = new Uint8Array(m);
    special.forEach(function (k) { isSpecial[k] = 1; });
    var edgeAlpha = (options.edges && options.edges.color && options.edges.color.opacity) || 0.6;
    var buckets = {}, bucketKeys = [], i;
    function rebucket() {
      buckets = {};
      for (var i = 0; i < n; i++) (buckets[colour[i]] = buckets[colour[i]] || []).push(i);
      bucketKeys = Object.keys(buckets).sort();
    }
    rebucket();
    // which drawn edges stay inside a community: links between communities are drawn fainter
    var comm = new Int32Array(n).fill(-1);
    for (i = 0; i < n; i++) if (info[i].community !== undefined) comm[i] = info[i].community;
    var cross = new Uint8Array(m);
    for (var k0 = 0; k0 < m; k0++) cross[k0] = comm[E0[k0]] !== comm[E1[k0]] || comm[E0[k0]] < 0 ? 1 : 0;
    var clusters = (meta.communities || []).filter(function (c) { return c.count >= 5; });
    // label order: most important first
    var byValue = Array.from({ length: n }, function (_, i) { return i; });
    byValue.sort(function (a, b) { return R[b] - R[a] || a - b; });
    var rank = new Int32Array(n);
    byValue.forEach(function (i, r) { rank[i] = r; });

    var canvas = document.createElement("canvas");
    canvas.className = "kg-canvas";
    canvas.setAttribute("aria-label", "graph drawing");
    container.appendChild(canvas);
    var ctx = canvas.getContext("2d");
    var view = { s: 1, tx: 0, ty: 0 }, W = 0, H = 0, dpr = window.devicePixelRatio || 1, fitScale = 1;
    var minR = n > 5000 ? 1.2 : 2.5;  // smallest drawn radius (px): a dot must show its colour
    var keep = null, selected = null, hover = null, moved = false;
    var firstDraw = [], drawn = false, pending = false;
    var labelWidth = new Float32Array(n).fill(-1);

    // spatial grid over world coordinates for hit tests
    var cell = 2 * sc.max + 10, grid = new Map();
    for (i = 0; i < n; i++) {
      var key = Math.floor(X[i] / cell) + "," + Math.floor(Y[i] / cell);
      var list = grid.get(key);
      if (list) list.push(i); else grid.set(key, [i]);
    }

    function resize() {
      var r = container.getBoundingClientRect();
      W = Math.max(1, r.width); H = Math.max(1, r.height);
      canvas.width = Math.round(W * dpr); canvas.height = Math.round(H * dpr);
      canvas.style.width = W + "px"; canvas.style.height = H + "px";
    }

    function fit() {
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var i = 0; i < n; i++) {
        if (hidden[i]) continue;
        if (X[i] - R[i] < x0) x0 = X[i] - R[i];
        if (X[i] + R[i] > x1) x1 = X[i] + R[i];
        if (Y[i] - R[i] < y0) y0 = Y[i] - R[i];
        if (Y[i] + R[i] > y1) y1 = Y[i] + R[i];
      }
      if (x0 === Infinity) { view = { s: 1, tx: W / 2, ty: H / 2 }; return; }
      // leave the legend's strip free on a wide screen
      var legendBox = document.getElementById("kg-legend"), left = 0;
      if (legendBox && W > 900 && n > 50) left = Math.min(legendBox.offsetWidth + 10, W / 4);
      var s = Math.min((W - left - 40) / Math.max(x1 - x0, 1), (H - 40) / Math.max(y1 - y0, 1), 2);
      view = { s: s, tx: left + (W - left) / 2 - s * (x0 + x1) / 2, ty: H / 2 - s * (y0 + y1) / 2 };
      fitScale = s;
    }

    function request() {
      if (!pending) { pending = true; requestAnimationFrame(draw); }
    }

    function strokeEdges(sel, style, alpha, width) {
      var s = view.s, tx = view.tx, ty = view.ty;
      ctx.beginPath();
      var any = false;
      for (var k = 0; k < m; k++) {
        var a = E0[k], b = E1[k];
        if (hidden[a] || hidden[b] || !sel(k, a, b)) continue;
        var ax = X[a] * s + tx, ay = Y[a] * s + ty, bx = X[b] * s + tx, by = Y[b] * s + ty;
        if ((ax < 0 && bx < 0) || (ax > W && bx > W) || (ay < 0 && by < 0) || (ay > H && by > H)) continue;
        ctx.moveTo(ax, ay); ctx.lineTo(bx, by);
        any = true;
      }
      if (!any) return;
      ctx.globalAlpha = alpha; ctx.strokeStyle = style; ctx.lineWidth = width;
      ctx.stroke();
    }

    function arrowHeads(sel) {
      var s = view.s, tx = view.tx, ty = view.ty;
      if (s < 0.35) return;
      ctx.beginPath();
      special.forEach(function (k) {
        var a = E0[k], b = E1[k];
        if (hidden[a] || hidden[b] || !sel(k, a, b)) return;
        var ax = X[a] * s + tx, ay = Y[a] * s + ty, bx = X[b] * s + tx, by = Y[b] * s + ty;
        var dx = bx - ax, dy = by - ay, len = Math.hypot(dx, dy);
        if (len < 1) return;
        dx /= len; dy /= len;
        var px = bx - dx * R[b] * s, py = by - dy * R[b] * s, h = 9;
        ctx.moveTo(px, py);
        ctx.lineTo(px - dx * h - dy * h * 0.45, py - dy * h + dx * h * 0.45);
        ctx.lineTo(px - dx * h + dy * h * 0.45, py - dy * h - dx * h * 0.45);
        ctx.closePath();
      });
      ctx.globalAlpha = 0.9; ctx.fillStyle = "#555555"; ctx.fill();
    }

    function fillNodes(sel, alpha) {
      var s = view.s, tx = view.tx, ty = view.ty;
      bucketKeys.forEach(function (c) {
        var ids = buckets[c];
        ctx.beginPath();
        var any = false;
        for (var j = 0; j < ids.length; j++) {
          var i = ids[j];
          if (hidden[i] || !sel(i)) continue;
          var x = X[i] * s + tx, y = Y[i] * s + ty, r = Math.max(R[i] * s, minR);
          if (x + r < 0 || x - r > W || y + r < 0 || y - r > H) continue;
          if (square[i] || r < 2) ctx.rect(x - r, y - r, 2 * r, 2 * r);
          else { ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI); }
          any = true;
        }
        if (!any) return;
        ctx.globalAlpha = alpha; ctx.fillStyle = c; ctx.fill();
        if (view.s * sc.min > 4) { ctx.lineWidth = 1; ctx.strokeStyle = "rgba(0,0,0,0.35)"; ctx.stroke(); }
      });
    }

    function ring(i, colour, width) {
      if (i === null || hidden[i]) return;
      var s = view.s, x = X[i] * s + view.tx, y = Y[i] * s + view.ty, r = Math.max(R[i] * s, minR) + width / 2 + 1;
      ctx.globalAlpha = 1; ctx.beginPath(); ctx.lineWidth = width; ctx.strokeStyle = colour;
      if (square[i]) ctx.rect(x - r, y - r, 2 * r, 2 * r); else ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.stroke();
    }

    function occupy(occupied, x0, y0, x1, y1, cellPx, test) {
      var c0 = Math.floor(x0 / cellPx), c1 = Math.floor(x1 / cellPx), r0 = Math.floor(y0 / cellPx), r1 = Math.floor(y1 / cellPx);
      for (var cx = c0; cx <= c1; cx++) for (var cy = r0; cy <= r1; cy++) if (occupied.has(cx * 100003 + cy)) { if (test) return false; }
      if (test) return true;
      for (cx = c0; cx <= c1; cx++) for (cy = r0; cy <= r1; cy++) occupied.add(cx * 100003 + cy);
      return true;
    }

    /* Community names at overview zoom, in the middle of their nodes; they reserve their space
     * first, so node labels never overlap them. */
    function drawClusterLabels(occupied, cellPx) {
      if (!clusters.length || view.s > fitScale * 3 || state.colorBy !== "community") return;
      var s = view.s, tx = view.tx, ty = view.ty;
      ctx.textAlign = "center"; ctx.textBaseline = "middle"; ctx.lineJoin = "round";
      clusters.forEach(function (c, k) {
        var px = k < 8 ? 15 : 13, text = c.label.split(" · ").slice(0, 2).join(" · ");
        ctx.font = "600 " + px + "px system-ui, sans-serif";
        var w = ctx.measureText(text).width, lb = legendBox(), x = 0, y = 0, free = false;
        // just above its nodes, else just below them
        var tries = [c.y * s + ty - px / 2 - 6, (c.y + c.h) * s + ty + px / 2 + 8];
        for (var t = 0; t < tries.length && !free; t++) {
          y = tries[t];
          if (y < -20 || y > H + 20) continue;
          // keep the name on screen and off the legend (drawn over the canvas at the top left)
          var left = lb && y < lb.bottom + px ? lb.right + 6 : 0;
          x = Math.max(left + w / 2 + 4, Math.min(c.x * s + tx, W - w / 2 - 4));
          free = occupy(occupied, x - w / 2 - 4, y - px / 2 - 3, x + w / 2 + 4, y + px / 2 + 3, cellPx, true);
        }
        if (!free || x + w / 2 < 0 || x - w / 2 > W) return;
        occupy(occupied, x - w / 2 - 4, y - px / 2 - 3, x + w / 2 + 4, y + px / 2 + 3, cellPx, false);
        ctx.globalAlpha = 0.92; ctx.lineWidth = 5; ctx.strokeStyle = "#ffffff"; ctx.strokeText(text, x, y);
        ctx.globalAlpha = 1; ctx.fillStyle = shade(c.color); ctx.fillText(text, x, y);
        state.clusterLabels++;
      });
    }

    var legendRect = null;
    function legendBox() {  // the legend's box in the canvas's coordinates, measured once per draw
      if (legendRect === null) {
        var l = document.getElementById("kg-legend"), c = canvas.getBoundingClientRect();
        if (!l) return null;
        var r = l.getBoundingClientRect();
        legendRect = { right: r.right - c.left, bottom: r.bottom - c.top };
      }
      return legendRect;
    }

    function shade(hex) {  // a darker shade of a community colour, readable on white
      var v = parseInt(hex.slice(1), 16), f = 0.55;
      return "rgb(" + Math.round((v >> 16 & 255) * f) + "," + Math.round((v >> 8 & 255) * f) + "," + Math.round((v & 255) * f) + ")";
    }

    function drawLabels(sel, alpha, clustered) {
      var s = view.s, tx = view.tx, ty = view.ty, occupied = new Set(), drawnLabels = 0, cellPx = 10;
      state.clusterLabels = 0;
      if (clustered) drawClusterLabels(occupied, cellPx);
      ctx.globalAlpha = alpha; ctx.textAlign = "center"; ctx.textBaseline = "top";
      ctx.lineJoin = "round"; ctx.strokeStyle = "#ffffff"; ctx.fillStyle = "#222222";
      for (var r = 0; r < n && drawnLabels < 400; r++) {
        var i = byValue[r];
        if (hidden[i] || !sel(i) || !visNodes[i].label) continue;
        var px = F[i] * s;
        if (px < lab.drawThreshold) {
          if (r >= (clustered && clusters.length ? 60 : 30) && i !== selected) continue;  // the most important keep a readable label
          px = Math.max(px, 11);
        }
        px = Math.min(px, 30);
        var x = X[i] * s + tx, y = Y[i] * s + ty + Math.max(R[i] * s, minR) + 2;
        if (x < -200 || x > W + 200 || y < -40 || y > H + 40) continue;
        if (labelWidth[i] < 0) { ctx.font = "10px system-ui, sans-serif"; labelWidth[i] = ctx.measureText(visNodes[i].label).width / 10; }
        var w = labelWidth[i] * px, c0 = Math.floor((x - w / 2) / cellPx), c1 = Math.floor((x + w / 2) / cellPx);
        var r0 = Math.floor(y / cellPx), r1 = Math.floor((y + px) / cellPx), free = true;
        for (var cx = c0; cx <= c1 && free; cx++) for (var cy = r0; cy <= r1; cy++) if (occupied.has(cx * 100003 + cy)) { free = false; break; }
        if (!free && i !== selected) continue;
        for (cx = c0; cx <= c1; cx++) for (cy = r0; cy <= r1; cy++) occupied.add(cx * 100003 + cy);
        ctx.font = px.toFixed(1) + "px system-ui, sans-serif";
        ctx.lineWidth = Math.min(4, px / 4);
        ctx.strokeText(visNodes[i].label, x, y);
        ctx.fillText(visNodes[i].label, x, y);
        drawnLabels++;
      }
    }

    function draw() {
      pending = false;
      legendRect = null;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.globalAlpha = 1;
      ctx.clearRect(0, 0, W, H);
      var all = function () { return true; };
      var inKeep = function (i) { return keep.has(i); };
      var outKeep = function (i) { return !keep.has(i); };
      var rel = function (k) { return isSpecial[k] === 1; };
      if (keep === null) {
        strokeEdges(function (k) { return !isSpecial[k] && cross[k] === 1; }, "#9a9a9a", edgeAlpha * 0.2, 1);
        if (state.colorBy === "community") {  // links inside a community in its colour
          bucketKeys.forEach(function (c) {
            strokeEdges(function (k, a) { return !isSpecial[k] && cross[k] === 0 && colour[a] === c; }, c, edgeAlpha * 0.6, 1);
          });
        } else strokeEdges(function (k) { return !isSpecial[k] && cross[k] === 0; }, "#8a8a8a", edgeAlpha, 1);
        strokeEdges(rel, "#555555", 0.9, 2);
        arrowHeads(all);
        fillNodes(all, 1);
        drawLabels(all, 1, true);
      } else {
        var touches = function (k, a, b) { return a === selected || b === selected; };
        strokeEdges(function (k, a, b) { return !touches(k, a, b); }, "#9a9a9a", 0.12, 1);
        fillNodes(outKeep, 0.15);
        var many = keep.size;  // a hub's hundreds of links would paint the screen dark
        strokeEdges(touches, "#333333", Math.min(0.9, Math.max(0.12, 40 / many)), many > 200 ? 1 : 2);
        arrowHeads(touches);
        fillNodes(inKeep, 1);
        drawLabels(inKeep, 1, false);
      }
      for (var i = 0; i < n; i++) if (border[i]) ring(i, "#222222", 3);
      ring(selected, "#111111", 3);
      ring(hover, "#555555", 2);
      ctx.globalAlpha = 1;
      if (!drawn) {
        drawn = true;
        firstDraw.forEach(function (f) { f(); });
      }
    }

    function nodeAt(px, py) {
      var wx = (px - view.tx) / view.s, wy = (py - view.ty) / view.s, slack = 4 / view.s, best = null, bestD = Infinity;
      var reach = sc.max + slack, cx0 = Math.floor((wx - reach) / cell), cx1 = Math.floor((wx + reach) / cell);
      var cy0 = Math.floor((wy - reach) / cell), cy1 = Math.floor((wy + reach) / cell);
      if ((cx1 - cx0 + 1) * (cy1 - cy0 + 1) > 400) return null;
      for (var cx = cx0; cx <= cx1; cx++) for (var cy = cy0; cy <= cy1; cy++) {
        var list = grid.get(cx + "," + cy);
        if (!list) continue;
        for (var j = 0; j < list.length; j++) {
          var i = list[j];
          if (hidden[i]) continue;
          var d = Math.hypot(X[i] - wx, Y[i] - wy), r = Math.max(R[i], minR / view.s) + slack;
          if (d > r) continue;
          if (i === hover) return i;  // where nodes overlap, keep the hovered one: hover and click agree
          if (d < bestD) { best = i; bestD = d; }
        }
      }
      return best;
    }

    var handlers = { click: null, show: null, hide: null };
    var drag = null;
    canvas.addEventListener("pointerdown", function (ev) {
      drag = { x: ev.offsetX, y: ev.offsetY, tx: view.tx, ty: view.ty, moved: false };
      canvas.setPointerCapture(ev.pointerId);
    });
    canvas.addEventListener("pointermove", function (ev) {
      if (drag) {
        var dx = ev.offsetX - drag.x, dy = ev.offsetY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
        if (drag.moved) {
          moved = true;
          view.tx = drag.tx + dx; view.ty = drag.ty + dy;
          if (handlers.hide) handlers.hide();
          request();
        }
        return;
      }
      var i = nodeAt(ev.offsetX, ev.offsetY);
      canvas.style.cursor = i === null ? "default" : "pointer";
      if (i !== hover) {
        hover = i;
        if (i === null) { if (handlers.hide) handlers.hide(); }
        else if (handlers.show) handlers.show(i, { x: ev.offsetX, y: ev.offsetY });
        request();
      }
    });
    canvas.addEventListener("pointerup", function (ev) {
      var d = drag;
      drag = null;
      if (d && !d.moved && handlers.click) handlers.click(nodeAt(ev.offsetX, ev.offsetY));
    });
    canvas.addEventListener("pointerleave", function () {
      if (hover !== null) { hover = null; if (handlers.hide) handlers.hide(); request(); }
    });
    canvas.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var f = Math.exp(-ev.deltaY * (ev.deltaMode === 1 ? 0.05 : 0.0015));
      var s = Math.min(Math.max(view.s * f, 1e-4), 20);
      view.tx = ev.offsetX - (ev.offsetX - view.tx) * (s / view.s);
      view.ty = ev.offsetY - (ev.offsetY - view.ty) * (s / view.s);
      view.s = s;
      moved = true;
      if (handlers.hide) handlers.hide();
      request();
    }, { passive: false });
    if (typeof ResizeObserver !== "undefined") {
      // until the user pans or zooms, keep the whole graph in view (e.g. a notebook iframe sized late)
      new ResizeObserver(function () {
        var w0 = W, h0 = H;
        resize();
        if (!moved) fit();
        else { view.tx += (W - w0) / 2; view.ty += (H - h0) / 2; }  // keep the middle of the view in the middle
        request();
      }).observe(container);
    }

    resize();
    fit();
    request();

    return {
      name: "canvas",
      onFirstDraw: function (f) { if (drawn) f(); else firstDraw.push(f); },
      onClick: function (f) { handlers.click = f; },
      onHover: function (show, hide) { handlers.show = show; handlers.hide = hide; },
      unhover: function () { if (hover !== null) { hover = null; request(); } },
      colour: function (i) { return colour[i]; },
      setColours: function (cs) { for (var i = 0; i < n; i++) colour[i] = cs[i]; rebucket(); request(); },
      nodeAt: nodeAt,
      setHidden: function (ids, flag) { ids.forEach(function (i) { hidden[i] = flag ? 1 : 0; }); request(); },
      isHidden: function (i) { return hidden[i] === 1; },
      drawnCount: function () { var c = 0; for (var i = 0; i < n; i++) if (!hidden[i]) c++; return c; },
      highlight: function (center, set) { selected = center; keep = set; request(); },
      focus: function (i) {
        moved = true;
        var s1 = Math.max(view.s, 1.2), from = { s: view.s, tx: view.tx, ty: view.ty }, t0 = performance.now();
        (function step(now) {
          var t = Math.min(1, (now - t0) / 350), e = t < 0.5 ? 2 * t * t : 1 - Math.pow(-2 * t + 2, 2) / 2;
          var to = { s: s1, tx: W / 2 - s1 * X[i], ty: H / 2 - s1 * Y[i] };  // the drawing's size now (the panel narrows it)
          view.s = from.s + (to.s - from.s) * e; view.tx = from.tx + (to.tx - from.tx) * e; view.ty = from.ty + (to.ty - from.ty) * e;
          draw();
          if (t < 1) requestAnimationFrame(step);
        })(t0);
      },
      domPosition: function (i) { return { x: X[i] * view.s + view.tx, y: Y[i] * view.s + view.ty }; },
      fit: function () { moved = false; fit(); request(); },
      view: function () { return { s: view.s, tx: view.tx, ty: view.ty }; }
    };
  }
})();
