// The dashboard's charts, drawn with Chart.js (static/vendor/chartjs) from the figures the
// page carries as JSON (#dashboard-charts, made by json_script): every label is already
// translated on the server, and no script is inline (the Content-Security-Policy runs
// none). Each chart has its table beside it, which screen readers read instead.
(() => {
  const source = document.getElementById("dashboard-charts");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  const charts = JSON.parse(source.textContent);
  // Colours told apart with the common colour-vision deficiencies (Okabe–Ito), dark enough
  // against white.
  const palette = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7a6a00",
    "#000000", "#8c564b", "#6a3d9a", "#b15928", "#1f78b4", "#33a02c", "#fb9a99",
  ];
  const colour = (index) => palette[index % palette.length];

  for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
    const figures = charts[canvas.dataset.chart];
    if (!figures) {
      continue;
    }
    const doughnut = figures.kind === "doughnut";
    const datasets = figures.datasets.map((dataset, index) => ({
      label: dataset.label,
      data: dataset.data,
      backgroundColor: doughnut ? figures.labels.map((_label, i) => colour(i)) : colour(index),
      borderWidth: doughnut ? 1 : 0,
    }));
    const axes = doughnut
      ? {}
      : {
          x: { stacked: figures.stacked, beginAtZero: true },
          y: { stacked: figures.stacked, beginAtZero: true },
        };
    new Chart(canvas, {
      type: figures.kind,
      data: { labels: figures.labels, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: figures.horizontal ? "y" : "x",
        scales: axes,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
      },
    });
  }
})();
