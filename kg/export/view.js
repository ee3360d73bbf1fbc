/* kg view: legend, type toggles, search, tooltips and the side panel around vis-network.
 * Every string from the graph reaches the page through textContent, never as HTML. */
(function () {
  "use strict";

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

  performance.mark("kg:start");
  var visNodes = readJSON("kg-nodes");
  var visEdges = readJSON("kg-edges");
  var options = readJSON("kg-options");
  var meta = readJSON("kg-meta");
  var info = meta.nodes;
  var papers = meta.papers;

  var state = { drawn: false, firstDraw: null, selected: null, hiddenTypes: {}, dimmed: [] };
  var neighbours = info.map(function () { return []; });
  visEdges.forEach(function (e) {
    neighbours[e.from].push(e.to);
    neighbours[e.to].push(e.from);
  });
  var paperNode = {};
  info.forEach(function (m, i) { if (m.paper !== undefined) paperNode[m.paper] = i; });

  var container = document.getElementById("kg-network");
  performance.mark("kg:data");
  var nodes = new vis.DataSet(visNodes);
  var edges = new vis.DataSet(visEdges);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  performance.mark("kg:network");
  network.once("afterDrawing", function () {
    state.firstDraw = performance.now();
    state.drawn = true;
    document.documentElement.setAttribute("data-kg-drawn", "1");
  });
  if (options.physics && options.physics.enabled) {
    network.once("stabilizationIterationsDone", function () { network.fit(); });
  }

  /* -- legend and type toggles ------------------------------------------ */
  var legend = document.getElementById("kg-legend");
  var toggles = {};
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
  var counts = el("p", "kg-counts",
    plural(meta.counts.nodes, "node") + ", " + plural(meta.counts.edges, "link"));
  legend.appendChild(counts);

  function setTypeVisible(type, visible) {
    var update = [];
    for (var i = 0; i < info.length; i++) {
      if (info[i].type === type) update.push({ id: i, hidden: !visible });
    }
    nodes.update(update);
    state.hiddenTypes[type] = !visible;
    if (toggles[type]) toggles[type].checked = visible;
    if (!visible && state.selected !== null && info[state.selected].type === type) clearSelection();
  }

  function visibleCount(type) {
    return nodes.get({
      filter: function (n) { return !n.hidden && (type === undefined || info[n.id].type === type); }
    }).length;
  }

  /* -- neighbourhood highlight ------------------------------------------ */
  function setDimmed(keep) {
    var update = [];
    for (var i = 0; i < info.length; i++) {
      var dim = keep !== null && !keep.has(i);
      if (dim !== !!state.dimmed[i]) {
        state.dimmed[i] = dim;
        update.push(dim ? { id: i, opacity: 0.15, font: { color: "rgba(34,34,34,0.25)" } }
                        : { id: i, opacity: 1, font: { color: "#222222" } });
      }
    }
    if (update.length) nodes.update(update);
  }

  function select(i) {
    state.selected = i;
    var keep = new Set(neighbours[i]);
    keep.add(i);
    setDimmed(keep);
    network.selectNodes([i]);
    showPanel(i);
  }

  function clearSelection() {
    state.selected = null;
    setDimmed(null);
    network.unselectAll();
    panel.hidden = true;
  }

  function focusNode(i) {
    var m = info[i];
    if (state.hiddenTypes[m.type]) setTypeVisible(m.type, true);
    select(i);
    network.focus(i, { scale: Math.max(network.getScale(), 1.2),
                       animation: { duration: 350, easingFunction: "easeInOutQuad" } });
  }

  network.on("click", function (p) {
    hideTip();
    if (p.nodes.length) select(p.nodes[0]);
    else if (!p.edges.length) clearSelection();
  });

  /* -- side panel --------------------------------------------------------- */
  var panel = document.getElementById("kg-panel");
  var panelBody = document.getElementById("kg-panel-body");
  document.getElementById("kg-panel-close").addEventListener("click", clearSelection);

  function paperItem(ref) {
    var p = papers[ref];
    var li = el("li", "kg-paper");
    var title = safeLink(p.url, p.title);
    li.appendChild(title);
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
        plural(m.degree, "link") + " here"));
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
    panel.hidden = false;
    panel.scrollTop = 0;
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

  network.on("hoverNode", function (p) { showTip(p.node, p.pointer.DOM); });
  network.on("blurNode", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);

  /* -- search --------------------------------------------------------------- */
  var input = document.getElementById("kg-search");
  var results = document.getElementById("kg-results");
  var entries = [];
  info.forEach(function (m, i) {
    entries.push([m.label.toLowerCase(), i, null]);
    (m.aliases || []).forEach(function (a) { entries.push([a.toLowerCase(), i, a]); });
  });
  var active = -1;
  var shown = [];

  function search(query, limit) {
    var q = String(query).trim().toLowerCase();
    if (!q) return [];
    var best = {};
    for (var k = 0; k < entries.length; k++) {
      var text = entries[k][0];
      var at = text.indexOf(q);
      if (at < 0) continue;
      var rank = text === q ? 0 : at === 0 ? 1 : /[\s\-_(\/]/.test(text.charAt(at - 1)) ? 2 : 3;
      if (entries[k][2] !== null) rank += 0.5;
      var i = entries[k][1];
      if (!(i in best) || rank < best[i].rank) best[i] = { node: i, rank: rank, alias: entries[k][2] };
    }
    var hits = Object.keys(best).map(function (i) { return best[i]; });
    hits.sort(function (a, b) {
      return a.rank - b.rank || (info[b.node].papers || 0) - (info[a.node].papers || 0) ||
        (info[a.node].label < info[b.node].label ? -1 : info[a.node].label > info[b.node].label ? 1 : 0);
    });
    return hits.slice(0, limit || 12);
  }

  function renderResults() {
    results.replaceChildren();
    shown.forEach(function (hit, k) {
      var li = el("li", k === active ? "kg-active" : null);
      li.setAttribute("role", "option");
      li.appendChild(el("span", "kg-result-label", info[hit.node].label));
      li.appendChild(el("span", "kg-result-type", info[hit.node].type));
      if (hit.alias) li.appendChild(el("span", "kg-result-alias", "as " + hit.alias));
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
    focusNode(hit.node);
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
    network.once("afterDrawing", function () { select(meta.center); });
  }

  /* For tests, benchmarks and the curious: the page's state and actions. */
  window.kgView = {
    network: network, nodes: nodes, edges: edges, meta: meta, state: state,
    search: search, focusNode: focusNode, select: select, clearSelection: clearSelection,
    setTypeVisible: setTypeVisible, visibleCount: visibleCount
  };
})();
