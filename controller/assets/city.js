/* The city dashboard (/city, served as /assets/city.js) for a city-wide admin. Signs in
 * like /admin (signin.js) against the first hall's API (the page's data-api); a city-wide
 * admin's token or session is accepted by every hall. Then every 5 s: the halls
 * (GET /api/v1/halls), and per hall GET {api}/snapshot and GET {api}/admin/live (waiting per
 * service, longest wait, windows open, paused, closed); every 60 s and on demand: per hall
 * GET {api}/admin/stats?from=&to=, shown per hall and summed over the city. Everything is
 * built as DOM nodes from data (dom.js), never as markup. Test hooks: window.hallqCityLive
 * (live rounds drawn), hallqCityStats (statistics drawn), hallqCityCharts. ES5. */
(function () {
  "use strict";
  var h = HallqDom.h, fill = HallqDom.fill;
  var $ = function (id) { return document.getElementById(id); };
  var token = null, timers = false, halls = [], live = {}, stats = {};
  var COLORS = ["#0b5cad", "#2e9d5b", "#e08a00", "#8e44ad", "#c0392b", "#16a2b8"];
  var STATE = { open: "开放", paused: "暂停", closed: "关闭" };
  window.hallqCityLive = 0;

  function say(id, text, ok) { var m = $(id); m.textContent = text; m.className = "msg " + (ok ? "ok" : "err"); }
  /* GET `path` of a hall's API with the admin's token: {status, body}. A 401 from the hall
   * signed in at ends the session; elsewhere it only marks that hall. */
  function get(api, path) {
    if (!token) return Promise.resolve({ status: 401, body: {} });
    return fetch(api + path, { headers: { Authorization: "Bearer " + token }, cache: "no-store" }).then(function (r) {
      if (r.status === 401 && api === HallqDom.api) { token = null; HallqSignIn.expired(); }
      return r.json().then(function (j) { return { status: r.status, body: j }; }, function () { return { status: r.status, body: {} }; });
    }, function () { return { status: 0, body: {} }; });
  }
  function dur(ms) {
    if (ms == null || ms < 0) return "—";
    var s = Math.floor(ms / 1000), hr = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60); s = s % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return (hr ? hr + ":" + pad(m) : m) + ":" + pad(s);
  }
  function pct(part, whole) { return whole > 0 ? (part * 100 / whole).toFixed(1) + "%" : "—"; }
  function denied(r) {
    if (r.status === 401 || r.status === 403) return "无权查看该大厅 / not allowed in this hall";
    if (r.status === 0) return "无法连接 / unreachable";
    return (r.body && r.body.message) || ("HTTP " + r.status);
  }

  // ---- live ----
  function liveRound() {
    return fetch("/api/v1/halls", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (v) {
      halls = v.halls || [];
      return Promise.all(halls.map(function (hl) {
        return Promise.all([get(hl.api, "/snapshot"), get(hl.api, "/admin/live")]).then(function (rs) {
          live[hl.id] = { snap: rs[0].status === 200 ? rs[0].body : null, extra: rs[1].status === 200 ? rs[1].body : null,
            error: rs[0].status !== 200 ? denied(rs[0]) : rs[1].status !== 200 ? denied(rs[1]) : null };
        });
      }));
    }).then(function () {
      renderLive();
      $("live").textContent = "实时 · " + HallClock.time();
      window.hallqCityLive += 1;
    }, function () { $("live").textContent = "连接断开，重试中… / reconnecting"; });
  }
  function windowCounts(snap) {
    var c = { open: 0, paused: 0, closed: 0 };
    (snap ? snap.windows : []).forEach(function (w) { c[w.status] = (c[w.status] || 0) + 1; });
    return c;
  }
  /** When the hall's longest-waiting ticket was issued (ms), or null. */
  function oldest(hl) {
    var l = live[hl.id], best = null;
    if (!l || !l.extra || !l.snap) return null;
    l.snap.queues.forEach(function (q) {
      var o = l.extra.oldest_waiting_at[q.service];
      if (q.waiting > 0 && o && (best == null || o < best)) best = o;
    });
    return best;
  }
  /** A wait that runs on (tick() redraws it every second). */
  function since(tag, attrs, ts) {
    var w = ts ? HallClock.now() - ts : null;
    attrs["data-since"] = ts || null;
    attrs["class"] = (attrs["class"] || "") + (w > 30 * 60000 ? " long" : "");
    return h(tag, attrs, dur(w));
  }
  function tick() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-since]"), function (el) {
      var w = HallClock.now() - Number(el.getAttribute("data-since"));
      el.textContent = dur(w);
      el.classList.toggle("long", w > 30 * 60000);
    });
  }
  function hallCard(hl) {
    var l = live[hl.id] || {}, snap = l.snap, extra = l.extra || { oldest_waiting_at: {} };
    var c = windowCounts(snap), st = stats[hl.id];
    var queues = snap ? snap.queues.filter(function (q) { return q.waiting > 0; }) : [];
    return h("section", { "class": "card hall", "data-hall": hl.id }, [
      h("div", { "class": "head" }, [h("div", { "class": "name" }, [hl.name, hl.name_en ? h("small", null, hl.name_en) : null]),
        h("a", { "class": "btn", href: hl.pages + "/admin" }, "大厅后台 / Hall admin")]),
      hl.address ? h("div", { "class": "addr" }, "地址：" + hl.address) : null,
      h("div", { "class": "big" }, [
        h("div", null, [h("span", null, "等候 "), h("b", { "class": "waiting" }, String(hl.waiting)), h("span", null, " 人 waiting")]),
        h("div", null, [h("span", null, "最长等候 Longest wait "), since("b", { "class": "longest" }, oldest(hl))])
      ]),
      h("div", { "class": "pills" }, ["open", "paused", "closed"].map(function (s) {
        return h("span", { "class": "pill " + s, "data-state": s }, STATE[s] + " " + (snap ? c[s] : s === "open" ? hl.windows_open : "—"));
      })),
      l.error ? h("div", { "class": "denied" }, l.error) : null,
      snap ? h("table", { "class": "queues" }, [
        h("thead", null, h("tr", null, [h("th", null, "业务 Service"), h("th", null, "等候 Waiting"), h("th", null, "最长等候 Longest")])),
        h("tbody", null, queues.length ? queues.map(function (q) {
          return h("tr", { "data-service": q.service }, [h("td", null, q.name), h("td", { "class": "num" }, q.waiting + " 人"),
            since("td", {}, extra.oldest_waiting_at[q.service])]);
        }) : h("tr", null, h("td", { colspan: 3, style: "color:#5b6b7d" }, "暂无等候 / nobody waiting")))
      ]) : null,
      st ? h("div", { "class": "stats" }, ["统计 ", h("b", null, String(st.total)), " 取号 · ", h("b", null, String(st.served)), " 办结 · 过号率 ",
        h("b", null, pct(st.no_show.part, st.no_show.whole)), " · 平均等候 ", h("b", null, dur(st.wait_mean_ms))]) : null
    ]);
  }
  function renderLive() {
    var waiting = 0, open = 0, all = 0;
    halls.forEach(function (hl) { waiting += hl.waiting; open += hl.windows_open; all += hl.windows; });
    fill($("kpis-live"), [
      ["今日等候 Waiting", waiting + " 人"], ["开放窗口 Windows open", open + " / " + all], ["大厅 Halls", halls.length]
    ].map(function (k) { return h("div", { "class": "kpi" }, [h("b", null, String(k[1])), h("span", null, k[0])]); }));
    // Redrawn every round: the focus stays on the hall link it was on.
    var f = document.activeElement, at = f && f.closest && f.closest("#halls [data-hall]");
    var focused = at ? at.getAttribute("data-hall") : null;
    fill($("halls"), halls.map(hallCard));
    if (focused) {
      var card = Array.prototype.filter.call($("halls").children, function (el) { return el.getAttribute("data-hall") === focused; })[0];
      if (card) card.querySelector("a").focus();
    }
  }

  // ---- statistics: per hall and summed over the city ----
  function range() { return "from=" + encodeURIComponent($("from").value) + "&to=" + encodeURIComponent($("to").value); }
  function loadStats() {
    var q = range();
    return Promise.all(halls.map(function (hl) {
      return get(hl.api, "/admin/stats?" + q).then(function (r) { stats[hl.id] = r.status === 200 ? r.body : null; return r; });
    })).then(function (rs) {
      var bad = rs.filter(function (r) { return r.status !== 200; });
      if (bad.length === rs.length && rs.length) { say("stats-msg", denied(bad[0]), false); }
      else say("stats-msg", "统计范围 " + $("from").value + " 至 " + $("to").value + (bad.length ? "（" + bad.length + " 个大厅无数据 / halls without data）" : ""), !bad.length);
      renderStats();
      renderLive();
      window.hallqCityStats = true;
    });
  }
  function sum() {
    var t = { total: 0, served: 0, ns: 0, called: 0, waitSum: 0, waitN: 0 };
    halls.forEach(function (hl) {
      var s = stats[hl.id];
      if (!s) return;
      t.total += s.total; t.served += s.served; t.ns += s.no_show.part; t.called += s.no_show.whole;
      // The city's mean wait: each hall's mean weighted by the tickets it called.
      var called = 0;
      s.services.forEach(function (v) { called += v.called; });
      if (s.wait_mean_ms != null && called) { t.waitSum += s.wait_mean_ms * called; t.waitN += called; }
    });
    return t;
  }
  function renderStats() {
    var t = sum();
    fill($("kpis-stats"), [
      ["全市取号 Tickets", t.total], ["全市办结 Served", t.served], ["全市过号 No-shows", t.ns],
      ["全市过号率 No-show rate", pct(t.ns, t.called)], ["全市平均等候 Mean wait", dur(t.waitN ? t.waitSum / t.waitN : null)]
    ].map(function (k) { return h("div", { "class": "kpi" }, [h("b", null, String(k[1])), h("span", null, k[0])]); }));
    fill($("per-hall").tBodies[0], halls.map(function (hl) {
      var s = stats[hl.id];
      if (!s) return h("tr", { "data-hall": hl.id }, [h("td", null, hl.name), h("td", { colspan: 6, style: "color:#5b6b7d" }, "无数据 / no data")]);
      return h("tr", { "data-hall": hl.id }, [h("td", null, hl.name), h("td", { "class": "num total" }, String(s.total)),
        h("td", { "class": "num" }, String(s.served)), h("td", { "class": "num" }, String(s.no_show.part)),
        h("td", null, pct(s.no_show.part, s.no_show.whole)), h("td", null, dur(s.wait_mean_ms)), h("td", null, dur(s.wait_p90_ms))]);
    }));
    var names = halls.map(function (hl) { return hl.name; });
    var pick = function (f) { return halls.map(function (hl) { var s = stats[hl.id]; return s ? f(s) : null; }); };
    plot("c-halls", names, [["取号 Tickets", pick(function (s) { return s.total; })], ["办结 Served", pick(function (s) { return s.served; })],
      ["过号 No-shows", pick(function (s) { return s.no_show.part; })]], false);
    plot("c-wait", names, [["平均等候 Mean wait", pick(function (s) { return s.wait_mean_ms == null ? null : s.wait_mean_ms / 60000; })]], true);
  }
  // ---- charts: ECharts (vendored) ----
  var charts = {};
  window.hallqCityCharts = charts;
  function mmss(min) { var t = Math.round(min * 60); return Math.floor(t / 60) + ":" + ("0" + t % 60).slice(-2); }
  function plot(id, cats, series, minutes) {
    var box = $(id).querySelector(".plot"), prev = charts[id];
    var any = series.some(function (s) { return s[1].some(function (v) { return v != null && v > 0; }); });
    if (!any) {
      if (prev) prev.dispose();
      delete charts[id];
      box.style.height = ""; box.className = "plot empty"; box.textContent = "暂无数据 / no data";
      return;
    }
    if (!prev) box.textContent = "";
    box.className = "plot";
    box.style.height = Math.max(180, 70 + cats.length * (12 + 20 * series.length)) + "px";
    var chart = prev || echarts.init(box, null, { renderer: "svg" });
    if (prev) chart.resize();
    var fmt = function (v) { return v == null ? "—" : minutes ? mmss(v) : String(v); };
    chart.setOption({
      animation: false, aria: { enabled: true },
      color: series.map(function (s, i) { return COLORS[i % COLORS.length]; }),
      grid: { left: 8, right: 56, top: series.length > 1 ? 34 : 12, bottom: 8, containLabel: true },
      legend: series.length > 1 ? { top: 0, textStyle: { color: "#37506b" } } : { show: false },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: fmt },
      xAxis: { type: "value", minInterval: minutes ? 0 : 1, axisLabel: { color: "#37506b", formatter: fmt } },
      yAxis: { type: "category", data: cats, inverse: true, axisLabel: { color: "#1b2a3a", width: 170, overflow: "truncate" } },
      series: series.map(function (s) {
        return { type: "bar", name: s[0], data: s[1], barMaxWidth: 24,
          label: { show: true, position: "right", color: "#1b2a3a", formatter: function (p) { return fmt(p.value); } } };
      })
    }, true);
    charts[id] = chart;
  }
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });

  $("load").onclick = loadStats;
  // "Today" is the hall's today (the first hall's time zone), whatever the PC's zone.
  $("today").onclick = function () { var d = HallClock.date(); $("from").value = d; $("to").value = d; loadStats(); };
  $("week").onclick = function () { var d = HallClock.date(); $("to").value = d; $("from").value = HallClock.addDays(d, -6); loadStats(); };

  function start(t, who) {
    token = t;
    $("who").textContent = who.display_name || who.name;
    $("signout").hidden = !who.session_expires_at;
    $("signout").onclick = function () { HallqSignIn.signOut(token); };
    var today = HallClock.date();
    $("from").value = today; $("to").value = today;
    liveRound().then(loadStats);
    if (!timers) {
      timers = true;
      setInterval(function () { if (token) liveRound(); }, 5000);
      setInterval(function () { if (token) loadStats(); }, 60000);
      // Longest waits run on between rounds.
      setInterval(tick, 1000);
    }
  }
  HallqSignIn.start({ key: "hallq-city-token", role: "admin", title: ["城市管理员登录", "City admin sign-in"], onReady: start });
})();
