/* Dashboard charts (Apache ECharts, served by the app) drawn from each chart's table; the
   big screen fetches the same tables from the API and redraws them without reloading. */
(function () {
  "use strict";
  var PALETTE = ["#b3261e", "#1d5fbf", "#1a7f37", "#9a6700", "#6e3fb5", "#0f7b8a", "#c2410c", "#4e5969"];
  var SCREEN_PALETTE = ["#ff6b5e", "#4da3ff", "#3ddc84", "#ffc53d", "#b37feb", "#36cfc9", "#ff9c6e", "#d9d9d9"];

  function seriesOf(chart) {
    return chart.plotted.map(function (i) {
      return { index: i, name: chart.columns[i + 1], data: chart.rows.map(function (r) { return r.values[i]; }) };
    });
  }

  function option(chart, dark) {
    var text = dark ? "#e8eef7" : "#1f2329";
    var axis = { axisLabel: { color: text, fontSize: dark ? 16 : 12 }, axisLine: { lineStyle: { color: dark ? "#5b6b82" : "#c9cdd4" } },
                 splitLine: { lineStyle: { color: dark ? "#2a3850" : "#eef0f3" } } };
    var labels = chart.rows.map(function (r) { return r.label; });
    var base = {
      color: dark ? SCREEN_PALETTE : PALETTE,
      backgroundColor: dark ? "transparent" : "#ffffff",
      textStyle: { fontFamily: "'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif", color: text },
      tooltip: { trigger: chart.kind === "pie" ? "item" : "axis" },
      legend: { top: 0, textStyle: { color: text, fontSize: dark ? 16 : 12 } },
      animationDuration: 500
    };
    var series = seriesOf(chart);
    if (chart.kind === "pie") {
      var s = series[0];
      base.series = [{ type: "pie", name: s.name, radius: ["35%", "65%"], top: 24,
        label: { color: text, fontSize: dark ? 16 : 12 },
        data: chart.rows.map(function (r) { return { name: r.label, value: r.values[s.index] }; }) }];
      return base;
    }
    var percentAxis = series.some(function (x) { return /%/.test(x.name); }) && series.some(function (x) { return !/%/.test(x.name); });
    var horizontal = chart.kind === "hbar";
    var category = Object.assign({ type: "category", data: labels }, axis, { axisLabel: Object.assign({}, axis.axisLabel, { width: horizontal ? 120 : 80, overflow: "truncate", interval: horizontal ? 0 : "auto" }) });
    var values = [Object.assign({ type: "value" }, axis)];
    if (percentAxis) values.push(Object.assign({ type: "value", max: 100, name: "%", nameTextStyle: { color: text } }, axis, { splitLine: { show: false } }));
    base.grid = { left: 12, right: 16, top: 40, bottom: 8, containLabel: true };
    base.xAxis = horizontal ? values : category;
    base.yAxis = horizontal ? Object.assign({}, category, { inverse: true }) : values;
    base.series = series.map(function (x) {
      var type = chart.kind === "line" && !(percentAxis && !/%/.test(x.name)) ? "line" : "bar";
      var item = { type: type, name: x.name, data: x.data, barMaxWidth: 28, connectNulls: true, smooth: false, symbolSize: dark ? 8 : 6 };
      if (chart.kind === "stack") item.stack = "total";
      if (percentAxis && /%/.test(x.name)) item.yAxisIndex = 1;
      return item;
    });
    if (!percentAxis && chart.kind === "line") base.series.forEach(function (x) { x.type = "line"; });
    return base;
  }

  function follow(instance, chart) {
    instance.on("click", function (p) {
      var row = chart.rows[p.dataIndex];
      if (row && row.url) window.location.href = row.url;
    });
  }

  function download(instance, title) {
    var link = document.createElement("a");
    link.href = instance.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#ffffff" });
    link.download = title + ".png";
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  var instances = {};

  function drawPage() {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var key = el.getAttribute("data-chart");
      var data = document.getElementById("chart-data-" + key);
      if (!data || !window.echarts) return;
      var chart = JSON.parse(data.textContent);
      var instance = window.echarts.init(el, null, { renderer: "canvas" });
      instance.setOption(option(chart, false));
      follow(instance, chart);
      instances[key] = { instance: instance, chart: chart };
    });
    document.querySelectorAll("[data-save-chart]").forEach(function (button) {
      var key = button.getAttribute("data-save-chart");
      if (!instances[key]) { button.hidden = true; return; }
      button.addEventListener("click", function () { download(instances[key].instance, instances[key].chart.title); });
    });
    window.addEventListener("resize", function () {
      Object.keys(instances).forEach(function (k) { instances[k].instance.resize(); });
    });
  }

  function number(value) {
    return typeof value === "number" ? value.toLocaleString("zh-CN") : String(value);
  }

  function screen(body) {
    var source = body.getAttribute("data-screen-source");
    var seconds = parseInt(body.getAttribute("data-refresh-seconds"), 10) || 60;
    var figures = document.getElementById("screen-figures");
    var error = document.getElementById("screen-error");
    var charts = {};
    document.querySelectorAll("[data-screen-chart]").forEach(function (el) {
      charts[el.getAttribute("data-screen-chart")] = window.echarts.init(el, null, { renderer: "canvas" });
    });
    function card(value, unit, label) {
      var div = document.createElement("div");
      div.className = "screen-figure";
      var v = document.createElement("div"); v.className = "screen-value"; v.textContent = number(value);
      var u = document.createElement("small"); u.textContent = unit; v.appendChild(u);
      var l = document.createElement("div"); l.className = "screen-label"; l.textContent = label;
      div.appendChild(v); div.appendChild(l);
      return div;
    }
    function render(data) {
      var cov = data.coverage;
      var cards = [card(cov.enterprises_with_union, "家", "已建会企业"), card(cov.outlets_reached, "个", "覆盖网点"), card(cov.members, "人", "工会会员")];
      var wanted = ["受理职工诉求", "响应率", "解决率", "满意率", "召开联席会议", "服务群众人次", "参赛选手", "征集职工代表提案"];
      wanted.forEach(function (label) {
        var f = data.figures.find(function (x) { return x.label === label; });
        if (f) cards.push(card(f.value, f.unit, f.label));
      });
      figures.replaceChildren.apply(figures, cards);
      data.charts.forEach(function (chart) {
        var instance = charts[chart.key];
        if (instance) { instance.resize(); instance.setOption(option(chart, true), { notMerge: true }); }
      });
      document.getElementById("screen-updated").textContent = data.updated_at;
      document.getElementById("screen-period").textContent = data.year + "年";
      body.setAttribute("data-loaded", String((parseInt(body.getAttribute("data-loaded"), 10) || 0) + 1));
    }
    function refresh() {
      fetch(source, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) { error.hidden = true; render(data); })
        .catch(function () { error.hidden = false; });
    }
    refresh();
    window.setInterval(refresh, seconds * 1000);
    window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
    var full = document.getElementById("screen-full");
    if (full) full.addEventListener("click", function () {
      if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) return;
    var body = document.body;
    if (body.hasAttribute("data-screen-source")) screen(body); else drawPage();
  });
})();
