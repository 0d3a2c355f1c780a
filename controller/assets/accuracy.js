/* The admin dashboard's estimate-accuracy panel (等候预估准确度): draws the answer of
 * GET /admin/estimates?day= as a scatter of predicted (x) vs actual (y) wait in minutes,
 * one series per service, with the y = x diagonal, and a table service / count / MAE
 * (minutes) / share within ±20 % or ±3 minutes. Parts: number formats, the table, the
 * chart, HallqAccuracy.render. Text via textContent only (HallqDom.h). ES5.
 * window.hallqAccuracy = {chart, body}: read back by the tests. */
(function () {
  "use strict";
  var COLORS = ["#0b5cad", "#2e9d5b", "#e08a00", "#8e44ad", "#c0392b", "#16a2b8", "#6d7b8c", "#b5651d"];
  var h = HallqDom.h, fill = HallqDom.fill;
  var $ = function (id) { return document.getElementById(id); };
  var state = window.hallqAccuracy = { chart: null, body: null };

  function minutes(s) { return Math.round(s / 6) / 10; }
  function mae(x) { return x.mae_s == null ? "—" : minutes(x.mae_s).toFixed(1); }
  function maeBase(x) { return x.mae_s_baseline == null ? "—" : minutes(x.mae_s_baseline).toFixed(1); }
  function shareBase(x) { return x.within_share_baseline == null ? "—" : Math.round(x.within_share_baseline * 100) + "%"; }
  function share(x) {
    return x.within_share == null ? "—" : Math.round(x.within_share * 100) + "%（" + x.within + "/" + x.count + "）";
  }

  function table(body) {
    var rows = body.services.map(function (s) {
      return h("tr", { "data-service": s.service }, [
        h("td", null, s.name || s.service),
        h("td", { "class": "count" }, String(s.count)),
        h("td", { "class": "mae" }, mae(s)),
        h("td", { "class": "within" }, share(s)),
        h("td", { "class": "baseline" }, maeBase(s) + " / " + shareBase(s))
      ]);
    });
    rows.push(h("tr", { "class": "overall" }, [
      h("th", null, "合计 All"),
      h("th", { "class": "count" }, String(body.overall.count)),
      h("th", { "class": "mae" }, mae(body.overall)),
      h("th", { "class": "within" }, share(body.overall)),
      h("th", { "class": "baseline" }, maeBase(body.overall) + " / " + shareBase(body.overall))
    ]));
    fill($("acc-table").tBodies[0], rows);
  }

  function chart(body) {
    var box = $("c-acc").querySelector(".plot");
    var withData = body.services.filter(function (s) { return s.tickets.length > 0; });
    if (!withData.length) {
      if (state.chart) { state.chart.dispose(); state.chart = null; }
      box.style.height = "";
      box.className = "plot empty";
      box.textContent = "暂无已叫号且有预估的票 / no called tickets with an estimate yet";
      return;
    }
    if (!state.chart) box.textContent = "";
    box.className = "plot";
    box.style.height = "340px";
    var max = 1;
    withData.forEach(function (s) {
      s.tickets.forEach(function (t) { max = Math.max(max, minutes(t.predicted_s), minutes(t.actual_s)); });
    });
    max = Math.ceil(max * 1.1);
    var series = withData.map(function (s, i) {
      return { type: "scatter", name: s.name || s.service, symbolSize: 9,
        itemStyle: { color: COLORS[i % COLORS.length] },
        data: s.tickets.map(function (t) { return [minutes(t.predicted_s), minutes(t.actual_s), t.number]; }) };
    });
    series.push({ type: "line", name: "完全准确 y = x", data: [[0, 0], [max, max]], symbol: "none", silent: true,
      lineStyle: { type: "dashed", color: "#6d7b8c", width: 1 }, itemStyle: { color: "#6d7b8c" } });
    // The x axis is named under its middle, the y axis above its top (a rotated name
    // beside it would be cut off at the card's edge).
    var axis = function (name, y) {
      return { type: "value", name: name, nameLocation: y ? "end" : "middle", nameGap: y ? 12 : 28, min: 0, max: max,
        axisLabel: { color: "#37506b" }, nameTextStyle: { color: "#37506b", align: y ? "left" : "center" } };
    };
    var c = state.chart || (state.chart = echarts.init(box, null, { renderer: "svg" }));
    c.resize();
    c.setOption({
      animation: false,
      aria: { enabled: true },
      grid: { left: 16, right: 24, top: 60, bottom: 34, containLabel: true },
      legend: { top: 0, textStyle: { color: "#37506b" } },
      tooltip: { trigger: "item", formatter: function (p) {
        if (!p.value || p.value.length < 3) return "";
        // ECharts renders a tooltip string as markup: only the server's digits and letters.
        var num = String(p.value[2]).replace(/[^0-9A-Za-z]/g, "");
        return num + "：预估 " + p.value[0] + " 分钟，实际 " + p.value[1] + " 分钟";
      } },
      xAxis: axis("预估 Predicted（分钟 min）"),
      yAxis: axis("实际 Actual（分钟 min）", true),
      series: series
    }, true);
  }

  /** Draws an answer of GET /admin/estimates (`status` its HTTP status). */
  function render(status, body) {
    var msg = $("acc-msg");
    if (status !== 200) {
      msg.textContent = (body && body.message) || "读取失败 / could not load";
      msg.className = "msg err";
      return;
    }
    state.body = body;
    msg.textContent = "";
    msg.className = "msg";
    $("acc-day").textContent = body.day;
    table(body);
    chart(body);
  }
  window.addEventListener("resize", function () { if (state.chart) state.chart.resize(); });
  window.HallqAccuracy = { render: render };
})();
