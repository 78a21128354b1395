// Draws every trend chart on the page from the JSON the server put next to it (no inline scripts).
// window.Plotly comes from plotly.min.js, served from our own static files.
const config = {
  responsive: true,
  displaylogo: false,
  modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
  toImageButtonOptions: { format: "png", scale: 2 },
};

for (const element of document.querySelectorAll("[data-chart]")) {
  const source = document.getElementById(element.dataset.chart);
  if (!source || !window.Plotly) continue;
  const figure = JSON.parse(source.textContent);
  window.Plotly.newPlot(element, figure.data || [], figure.layout || {}, config);
}
