"""The site's own JavaScript (site.js, plain, no library): tables sortable, searchable and
filterable in the page; chart clicks that open the obligations behind a bar or heat-map cell;
and the obligations page, which reads the per-week data files (data/obl-<week>.js, loaded as
<script> so the site works from file://) and filters them by the URL hash:

    obligations.html#week=2025-12-01&standard=reply_12h&ae=li.wei@x.com&team=A&tier=B
                    &client=ACC-1&status=late,missed&weekday=0&hour=9&o=<obligation_id>

`week` takes several Mondays separated by commas; `o` opens one obligation with the export
rows its evidence names (message header, calendar event, CRM row; never a message body).
"""

SITE_JS = r"""
(function () {
  "use strict";
  function txt(el) { return (el.getAttribute("data-sort") || el.textContent || "").trim(); }
  function num(s) { var v = parseFloat(String(s).replace(/[,%\s]|pp|h$/g, "").replace("−", "-")); return isNaN(v) ? null : v; }
  function enhance(table) {
    if (table.getAttribute("data-enhanced")) return;
    table.setAttribute("data-enhanced", "1");
    var tbody = table.tBodies[0]; if (!tbody) return;
    var rows = Array.prototype.slice.call(tbody.rows);
    var bar = document.createElement("div"); bar.className = "table-tools noprint";
    var box = document.createElement("input"); box.type = "search"; box.placeholder = "search / 搜索";
    box.setAttribute("aria-label", "search the table");
    bar.appendChild(box);
    var filters = [];
    var heads = table.tHead ? Array.prototype.slice.call(table.tHead.rows[0].cells) : [];
    heads.forEach(function (th, i) {
      if (!th.hasAttribute("data-filter")) return;
      var values = {}; rows.forEach(function (r) { if (r.cells[i]) values[txt(r.cells[i])] = 1; });
      var sel = document.createElement("select"); sel.setAttribute("data-col", i);
      sel.innerHTML = "<option value=''>" + th.textContent.trim() + ": *</option>";
      Object.keys(values).sort().forEach(function (v) { var o = document.createElement("option"); o.value = v; o.textContent = v; sel.appendChild(o); });
      bar.appendChild(sel); filters.push(sel);
    });
    var counter = document.createElement("span"); counter.className = "small"; bar.appendChild(counter);
    var wrap = table.closest(".table-wrap") || table; wrap.parentNode.insertBefore(bar, wrap);
    function apply() {
      var q = box.value.toLowerCase(), shown = 0;
      rows.forEach(function (r) {
        var ok = !q || r.textContent.toLowerCase().indexOf(q) >= 0;
        filters.forEach(function (s) { if (s.value && txt(r.cells[+s.getAttribute("data-col")]) !== s.value) ok = false; });
        r.style.display = ok ? "" : "none"; if (ok) shown++;
      });
      counter.textContent = shown + " / " + rows.length;
    }
    box.addEventListener("input", apply); filters.forEach(function (s) { s.addEventListener("change", apply); });
    heads.forEach(function (th, i) {
      th.classList.add("sortable"); th.setAttribute("tabindex", "0");
      function sort() {
        var dir = th.getAttribute("data-dir") === "asc" ? "desc" : "asc";
        heads.forEach(function (h) { h.removeAttribute("data-dir"); }); th.setAttribute("data-dir", dir);
        rows.sort(function (a, b) {
          var x = a.cells[i] ? txt(a.cells[i]) : "", y = b.cells[i] ? txt(b.cells[i]) : "";
          var nx = num(x), ny = num(y), c;
          if (nx !== null && ny !== null) c = nx - ny; else if (nx !== null) c = -1; else if (ny !== null) c = 1;
          else c = x.localeCompare(y);
          return dir === "asc" ? c : -c;
        });
        rows.forEach(function (r) { tbody.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
    apply();
  }
  window.AEM = window.AEM || {};
  window.AEM.enhance = enhance;
  function drill() {  // a click on a bar / heat-map cell opens the obligations behind it
    Array.prototype.forEach.call(document.querySelectorAll(".js-plotly-plot"), function (plot) {
      if (!plot.on || plot.getAttribute("data-drill-bound")) return;
      plot.setAttribute("data-drill-bound", "1");
      plot.on("plotly_click", function (ev) {
        var p = ev && ev.points && ev.points[0]; if (!p) return;
        var href = p.customdata; if (Array.isArray(href)) href = href[href.length - 1];
        if (typeof href === "string" && href.indexOf("obligations.html") >= 0) window.location.href = href;
      });
    });
  }
  function picker() {
    Array.prototype.forEach.call(document.querySelectorAll("select.week-picker"), function (sel) {
      sel.addEventListener("change", function () { if (sel.value) window.location.href = sel.value; });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.data"), enhance);
    picker();
  });
  function narrow() {  // phones: legends under the plot, so the chart fits the screen's width
    if (window.innerWidth > 700 || !window.Plotly) return;
    Array.prototype.forEach.call(document.querySelectorAll(".js-plotly-plot"), function (plot) {
      try { window.Plotly.relayout(plot, {"legend.orientation": "h", "legend.x": 0, "legend.xanchor": "left",
        "legend.y": -0.25, "legend.yanchor": "top", "margin.r": 10, "margin.l": 45}); } catch (e) { /* not drawn */ }
    });
  }
  window.addEventListener("load", function () { narrow(); drill(); setTimeout(drill, 500); });
})();
"""

OBLIGATIONS_JS = r"""
(function () {
  "use strict";
  var IDX = window.AEM_INDEX, ROWS = [], PAGE = 200;
  var F = ["id", "standard", "ae", "team", "client_account", "client_name", "tier", "status", "opened_at",
           "due_at", "fulfilled_at", "hours_late", "subject", "evidence", "weekday", "hour", "week", "refs"];
  window.AEM_OBL = function (data) {
    var rows = data[0], raws = data[1];
    rows.forEach(function (r) {
      var o = {}; F.forEach(function (f, i) { o[f] = r[i]; });
      o.refs = (o.refs || []).map(function (x) { return [x[0], x[1], x[2] >= 0 ? raws[x[2]] : null]; });
      ROWS.push(o);
    });
  };
  function params() {
    var p = {}; (window.location.hash || "").replace(/^#/, "").split("&").forEach(function (kv) {
      if (!kv) return; var i = kv.indexOf("="); p[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1));
    }); return p;
  }
  function short(s) { s = s == null ? "—" : String(s); return s.length > 60 ? s.slice(0, 57) + "…" : s; }
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]; }); }
  function hashWith(p, extra) {
    var q = {}; Object.keys(p).forEach(function (k) { q[k] = p[k]; }); Object.keys(extra).forEach(function (k) { if (extra[k] == null) delete q[k]; else q[k] = extra[k]; });
    return "#" + Object.keys(q).map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(q[k]); }).join("&");
  }
  // the data files a filter needs: its weeks and standards; where a week × standard is split (a large
  // agency), only the status group and the AEs (of the ae, team and client filters) it can match;
  // at most MAX_LOAD obligations are read (the page says so and how to narrow it)
  var MAX_LOAD = 40000, LOADED = {files: 0, read: 0};
  function restrictTo(set, ps) {
    var s = {}; ps.forEach(function (x) { s[x] = 1; });
    if (set === null) return s;
    var t = {}; Object.keys(set).forEach(function (k) { if (s[k]) t[k] = 1; }); return t;
  }
  function aeSet(p) {
    var set = null, ae = p.o && p.oa ? p.oa : p.ae;
    if (ae) {
      var ps = [], known = true;
      ae.split(",").forEach(function (a) { var e = IDX.aes[a]; if (e && e[2] >= 0) ps.push(e[2]); else known = false; });
      if (known) set = restrictTo(set, ps);
    }
    [["team", IDX.teams || {}], ["client", IDX.client_aes || {}]].forEach(function (km) {
      if (!p[km[0]]) return; var ps = [];
      p[km[0]].split(",").forEach(function (v) { (km[1][v] || []).forEach(function (x) { ps.push(x); }); });
      set = restrictTo(set, ps);
    });
    return set;
  }
  function statusGroups(p) {
    if (!p.status) return null;
    var g = {}; p.status.split(",").forEach(function (s) { g[s === "late" || s === "missed" ? "l" : "o"] = 1; }); return g;
  }
  function wanted(ch, set, groups) {
    if (groups && !groups[ch[0]]) return false;
    if (!set) return true;
    for (var k in set) { if (+k >= ch[2] && +k <= ch[3]) return true; }
    return false;
  }
  function load(p, done) {
    var weeks = (p.week || IDX.latest).split(","), std = p.o && p.os ? p.os : p.standard;
    var stds = std ? std.split(",") : null, set = aeSet(p), groups = statusGroups(p), files = [];
    weeks.forEach(function (w) { var byStd = IDX.files[w] || {};
      Object.keys(byStd).forEach(function (s) {
        if (stds && stds.indexOf(s) < 0) return;
        var f = byStd[s];
        if (typeof f === "string") {
          var r = ((IDX.whole || {})[w] || {})[s] || [-1, 1e9, IDX.chunk || 0];
          if (wanted(["*", 0, r[0], r[1]], set, null)) files.push([f, r[2]]);
          return;
        }
        f.forEach(function (ch) { if (wanted(ch, set, groups)) files.push(["data/obl-" + w + "-" + s + "-" + ch[0] + ch[1] + ".js", ch[4]]); });
      }); });
    var take = [], n = 0;
    files.forEach(function (f) { if (!take.length || n + f[1] <= MAX_LOAD) { take.push(f[0]); n += f[1]; } });
    LOADED = {files: files.length, read: take.length};
    var left = take.length; if (!left) { done(); return; }
    take.forEach(function (f) { var s = document.createElement("script"); s.src = f; s.onload = s.onerror = function () { if (--left === 0) done(); }; document.head.appendChild(s); });
  }
  // a client's page name: listed where it differs from the account id, else the account itself
  function clientSlug(acc) { return acc == null ? null : IDX.clients[acc] || ((IDX.client_aes || {})[acc] ? acc : null); }
  function matches(r, p) {
    function inList(v, key) { return !p[key] || p[key].split(",").indexOf(String(v)) >= 0; }
    return inList(r.standard, "standard") && inList(r.ae, "ae") && inList(r.team == null ? "(none)" : r.team, "team") &&
      inList(r.tier == null ? "(none)" : r.tier, "tier") && inList(r.client_account, "client") && inList(r.status, "status") &&
      inList(r.weekday, "weekday") && inList(r.hour, "hour");
  }
  function describe(p) {
    var parts = [];
    ["week", "standard", "ae", "team", "tier", "client", "status", "weekday", "hour"].forEach(function (k) {
      if (p[k]) parts.push("<b>" + esc(k) + "</b> " + esc(k === "standard" ? p[k].split(",").map(function (s) { return IDX.standards[s] || s; }).join(", ") : p[k]));
    });
    return parts.join(" · ") || "*";
  }
  function detail(r, p) {
    var h = "<h2>" + esc(IDX.standards[r.standard] || r.standard) + " — " + esc(r.client_name || r.client_account || "") + "</h2>";
    h += "<table class='kv'><tbody>";
    [["obligation", r.id], ["AE", (IDX.aes[r.ae] || [r.ae])[0] + " <" + r.ae + ">"], ["team", r.team], ["client", (r.client_name || "") + " " + (r.client_account || "")],
     ["tier", r.tier], ["status", r.status], ["opened", r.opened_at], ["due", r.due_at], ["fulfilled", r.fulfilled_at], ["hours late", r.hours_late],
     ["subject", r.subject], ["evidence", r.evidence]].forEach(function (kv) { h += "<tr><th>" + esc(kv[0]) + "</th><td>" + esc(kv[1] == null ? "—" : kv[1]) + "</td></tr>"; });
    h += "</tbody></table>";
    (r.refs || []).forEach(function (ref, i) {
      h += "<h3 id='ev-" + (i + 1) + "'>" + (i + 1) + ". " + esc(ref[0]) + " <span class='small'>" + esc(ref[1]) + "</span></h3>";
      var fields = ref[2] || {};
      var keys = Object.keys(fields);
      if (!keys.length) { h += "<p class='small'>row not in the warehouse</p>"; return; }
      h += "<table class='kv'><tbody>" + keys.map(function (k) { return "<tr><th>" + esc(k) + "</th><td>" + esc(fields[k]) + "</td></tr>"; }).join("") + "</tbody></table>";
    });
    h += "<p><a href='" + hashWith(p, {o: null, os: null, oa: null}) + "'>← list</a></p>";
    return h;
  }
  // a week before the drill-down window (site_drill_weeks) has no data files: say so, and where its rows are
  function outside(weeks) {
    var W = IDX.window || {}; if (!W.from) return "";
    var old = weeks.filter(function (w) { return w < W.from; }); if (!old.length) return "";
    return "<div class='note outside' id='obl-outside'>" + old.map(function (w) {
      var csv = (W.csv || {})[w];
      return "<p>week " + esc(w) + " is outside the drill-down window / 不在明细范围内: this page lists the last " + esc(W.weeks) +
        " weeks, from " + esc(W.from) + " (setting <code>site_drill_weeks</code> = " + esc(W.weeks) + "). " +
        (csv ? "Its obligations, every row, are in the CSV download <a class='csv' href='" + esc(csv) + "' download>↓ " + esc(csv) + "</a>" +
          " (and in the warehouse: obligation_details)." : "That week has no obligations.") + "</p>";
    }).join("") + "</div>";
  }
  function render() {
    var p = params(), out = document.getElementById("obl"), head = document.getElementById("obl-filter");
    var weeks = (p.week || IDX.latest).split(","), note = outside(weeks);
    ROWS = [];
    load(p, function () {
      head.innerHTML = describe(p);
      if (p.o) {
        var one = ROWS.filter(function (r) { return r.id === p.o; })[0];
        out.innerHTML = one ? detail(one, p) : note || "<div class='empty'>obligation " + esc(p.o) + " not in week(s) " + esc(weeks.join(", ")) + "</div>";
        return;
      }
      var rows = ROWS.filter(function (r) { return matches(r, p); });
      if (!rows.length && note) { out.innerHTML = note; return; }
      rows.sort(function (a, b) { return a.opened_at < b.opened_at ? 1 : a.opened_at > b.opened_at ? -1 : 0; });
      var shown = window.__printing ? rows.length : Math.min(rows.length, +(p.n || PAGE));
      var counts = {}; rows.forEach(function (r) { counts[r.status] = (counts[r.status] || 0) + 1; });
      var h = note + "<p class='meta'>" + rows.length + " obligations · " + Object.keys(counts).sort().map(function (k) { return esc(k) + " " + counts[k]; }).join(" · ") + "</p>";
      if (LOADED.read < LOADED.files) h += "<p class='note more' id='obl-partial'>" + LOADED.read + " / " + LOADED.files +
        " data files read (at most " + MAX_LOAD + " obligations in the browser): narrow the filter (status, AE, team, client, fewer weeks) to list them all; the CSV downloads hold every row</p>";
      if (!rows.length) { out.innerHTML = h + "<div class='empty'>no obligations / 无事项</div>"; return; }
      h += "<div class='table-wrap'><table class='data' id='obl-table'><thead><tr>" +
        ["standard", "status", "AE", "team", "client", "tier", "subject", "opened", "due", "fulfilled", "evidence"].map(function (c, i) {
          return "<th" + (i < 2 || i === 3 || i === 5 ? " data-filter" : "") + ">" + c + "</th>"; }).join("") + "</tr></thead><tbody>";
      rows.slice(0, shown).forEach(function (r) {
        var link = hashWith(p, {o: r.id, week: r.week, os: r.standard, oa: r.ae});
        var ev = (r.refs || []).map(function (ref, i) { return "<a class='source' href='" + link + "'>" + esc(ref[0]) + "</a>"; }).join("");
        h += "<tr><td>" + esc(IDX.standards[r.standard] || r.standard) + "</td><td><span class='badge " + esc(r.status) + "'>" + esc(r.status) + "</span></td><td>" +
          "<a href='ae/" + esc((IDX.aes[r.ae] || [r.ae, r.ae])[1]) + ".html'>" + esc((IDX.aes[r.ae] || [r.ae])[0]) + "</a></td><td>" + esc(r.team || "—") + "</td><td>" +
          (clientSlug(r.client_account) ? "<a href='clients/" + esc(clientSlug(r.client_account)) + ".html'>" + esc(r.client_name || r.client_account) + "</a>" : esc(r.client_name || r.client_account || "—")) +
          "</td><td>" + esc(r.tier || "—") + "</td><td class='subject'>" + esc(r.subject || "—") + "</td><td class='num'>" + esc(r.opened_at || "—") + "</td><td class='num'>" + esc(r.due_at || "—") +
          "</td><td class='num'>" + esc(r.fulfilled_at || "—") + "</td><td class='small evidence'><a href='" + link + "'>" + esc(short(r.evidence)) + "</a>" + ev + "</td></tr>";
      });
      h += "</tbody></table></div>";
      if (shown < rows.length) h += "<p><a class='more noprint' href='" + hashWith(p, {n: String(shown + PAGE * 5)}) + "'>" + (rows.length - shown) + " more…</a></p>";
      out.innerHTML = h;
      window.AEM.enhance(document.getElementById("obl-table"));
    });
  }
  window.addEventListener("hashchange", render);
  window.addEventListener("beforeprint", function () { window.__printing = true; render(); });
  document.addEventListener("DOMContentLoaded", render);
})();
"""
