/* Chart.js helpers shared by the statistics pages (window.GeoStats). Chart.js is served from vendor/chart.js. */
(function () {
  "use strict";
  const COLOURS = { crater: "#e8443a", valley: "#2f7fe0", ridge: "#33b34a" };
  const SERIES = ["#222222", "#c0392b", "#2471a3", "#1e8449"];

  // Follow the page's (dark or light) text colour so axes and legends stay readable.
  const ink = window.getComputedStyle(document.body).color;
  if (window.Chart && ink) {
    window.Chart.defaults.color = ink;
    window.Chart.defaults.borderColor = "rgba(128,128,128,0.3)";
  }

  function colour(name, i) { return COLOURS[name] || SERIES[i % SERIES.length]; }

  function fmt(v) { return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(2); }

  function binLabels(edges) {
    const out = [];
    for (let i = 0; i + 1 < edges.length; i++) out.push(fmt(edges[i]) + "–" + fmt(edges[i + 1]));
    return out;
  }

  // Vertical Poisson error bars for scatter datasets whose points carry yMin / yMax.
  const errorBars = {
    id: "errorBars",
    afterDatasetsDraw(chart) {
      const { ctx, scales } = chart;
      chart.data.datasets.forEach((ds, i) => {
        if (!ds.errorBars || !chart.isDatasetVisible(i)) return;
        ctx.save();
        ctx.strokeStyle = ds.borderColor;
        ctx.lineWidth = 1;
        ds.data.forEach((p) => {
          if (p.yMin === undefined || p.yMin <= 0) return;
          const x = scales.x.getPixelForValue(p.x);
          ctx.beginPath();
          ctx.moveTo(x, scales.y.getPixelForValue(p.yMin));
          ctx.lineTo(x, scales.y.getPixelForValue(p.yMax));
          ctx.stroke();
        });
        ctx.restore();
      });
    },
  };

  function bar(canvas, labels, datasets, xTitle) {
    return new window.Chart(canvas, {
      type: "bar",
      data: { labels, datasets },
      options: { animation: false, responsive: true,
        scales: { x: { title: { display: !!xTitle, text: xTitle } }, y: { beginAtZero: true, title: { display: true, text: "Count" } } } },
    });
  }

  function histogram(canvas, hist, xTitle, label, col) {
    return bar(canvas, binLabels(hist.edges), [{ label, data: hist.counts, backgroundColor: col || "#476788" }], xTitle);
  }

  function rose(canvas, hist) {
    // Axial data: each 0-180 bin is drawn again at +180 so the rose reads as lines, not directions.
    const labels = [], data = [];
    for (const offset of [0, 180]) {
      for (let i = 0; i + 1 < hist.edges.length; i++) {
        labels.push((hist.edges[i] + offset) + "°");
        data.push(hist.counts[i]);
      }
    }
    return new window.Chart(canvas, {
      type: "polarArea",
      data: { labels, datasets: [{ label: "Valleys and ridges", data, backgroundColor: "rgba(123,92,51,0.7)" }] },
      options: { animation: false, plugins: { legend: { display: false } },
        // Polar areas start at the top and run clockwise: azimuth 0 = north, as on a map.
        scales: { r: { ticks: { backdropColor: "transparent" } } } },
    });
  }

  function csfdDatasets(csfd, kind, name, i) {
    const s = csfd.series[kind];
    if (!s) return [];
    const c = ["#f0f0f0", "#ff6b5b", "#5dade2", "#58d68d"][i % 4];
    const points = s.d.map((d, j) => ({ x: d, y: s.y[j], yMin: s.y[j] - s.err[j], yMax: s.y[j] + s.err[j] }));
    const out = [{ label: name, type: "scatter", data: points, borderColor: c, backgroundColor: c, pointRadius: 3, errorBars: true }];
    const iso = csfd.isochrons[kind];
    if (iso && csfd.fit) {
      out.push({ label: name + " isochron " + csfd.fit.label, type: "line", borderColor: c, borderWidth: 2,
        pointRadius: 0, data: iso.d.map((d, j) => ({ x: d, y: iso.y[j] })) });
    }
    return out;
  }

  const Y_TITLES = { cumulative: "N(≥D) [km⁻²]", differential: "dN/dD [km⁻³]", "R-plot": "R" };

  function csfdChart(canvas, entries, kind) {
    const datasets = [];
    entries.forEach((e, i) => datasets.push(...csfdDatasets(e.csfd, kind, e.name, i)));
    return new window.Chart(canvas, {
      type: "scatter",
      data: { datasets },
      plugins: [errorBars],
      options: { animation: false, responsive: true, plugins: { legend: { position: "bottom" } },
        scales: { x: { type: "logarithmic", title: { display: true, text: "Diameter D [km]" } },
                  y: { type: "logarithmic", title: { display: true, text: Y_TITLES[kind] || kind },
                       // Label decades only (1e-4, 1e-5, ...): log axes otherwise crowd their labels.
                       ticks: { callback: function (v) { var e = Math.log10(v); return Math.abs(e - Math.round(e)) < 1e-9 ? Number(v).toExponential(0) : ""; } } } } },
    });
  }

  window.GeoStats = { colour, bar, histogram, rose, csfdChart, binLabels };
})();
