/* Statistics page: class, diameter, rose and confidence charts, and the CSFD in three presentations. */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const G = window.GeoStats;
  const st = data.stats;

  const classes = st.classes.map((c) => c.class_name);
  G.bar(document.getElementById("chart-classes"), classes,
    [{ label: "Features", data: st.classes.map((c) => c.count), backgroundColor: classes.map(G.colour) }], "Class");
  G.histogram(document.getElementById("chart-diameters"), st.diameter_histogram, "Diameter [km]", "Craters", "#e8443a");
  G.rose(document.getElementById("chart-rose"), st.orientation_rose);
  G.histogram(document.getElementById("chart-confidence"), st.confidence_histogram, "Confidence", "Features");

  const canvas = document.getElementById("chart-csfd");
  if (!canvas) return;
  let chart = null;
  function show(kind) {
    if (chart) chart.destroy();
    chart = G.csfdChart(canvas, [{ name: data.title, csfd: data.csfd }], kind);
    const img = document.getElementById("csfd-image");
    if (img) img.src = data.plot.replace(/\.png$/, ".svg") + "?" + data.plot_query + "&kind=" + encodeURIComponent(kind);
    document.querySelectorAll(".csfd-kind").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.kind === kind)));
  }
  document.querySelectorAll(".csfd-kind").forEach((b) => b.addEventListener("click", () => show(b.dataset.kind)));
  show("cumulative");
})();
