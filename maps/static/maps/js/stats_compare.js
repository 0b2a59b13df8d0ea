/* Comparison page: both CSFDs overlaid with their isochrons, and class counts side by side. */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const G = window.GeoStats;
  const sides = [data.a, data.b];
  G.csfdChart(document.getElementById("chart-csfd"),
    sides.map((s, i) => ({ name: (i ? "B: " : "A: ") + s.title, csfd: s.csfd })), "cumulative");
  const classes = [...new Set(sides.flatMap((s) => s.stats.classes.map((c) => c.class_name)))].sort();
  const counts = (s) => classes.map((n) => (s.stats.classes.find((c) => c.class_name === n) || { count: 0 }).count);
  G.bar(document.getElementById("chart-classes"), classes, [
    { label: "A: " + data.a.title, data: counts(data.a), backgroundColor: "#476788" },
    { label: "B: " + data.b.title, data: counts(data.b), backgroundColor: "#c0392b" },
  ], "Class");
})();
