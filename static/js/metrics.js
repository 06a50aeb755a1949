// Draws every metric card on the page with Chart.js. Each card carries its numbers in a JSON
// <script> (Django's json_script) and a data table for people who don't read charts.
(function () {
  "use strict";
  const palette = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#d63384", "#198754",
                   "#ffc107", "#0dcaf0", "#6c757d", "#dc3545", "#6610f2", "#adb5bd"];

  function formatter(data) {
    if (data.unit === "money" && data.currency) {
      return new Intl.NumberFormat(undefined, {
        style: "currency", currency: data.currency, notation: "compact", maximumFractionDigits: 1,
      });
    }
    if (data.unit === "percent") {
      return { format: (v) => new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(v) + " %" };
    }
    return new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });
  }

  function draw(card) {
    const source = card.querySelector("script[type='application/json']");
    const canvas = card.querySelector("canvas");
    if (!source || !canvas || typeof Chart === "undefined") return;
    const data = JSON.parse(source.textContent);
    const kind = card.dataset.chart;
    const fmt = formatter(data);
    const horizontal = kind === "hbar";
    const chart = new Chart(canvas, {
      type: kind === "hbar" ? "bar" : kind,
      data: {
        labels: data.labels,
        datasets: [{
          label: card.dataset.name,
          data: data.values,
          backgroundColor: kind === "doughnut" ? palette : palette[0],
          borderColor: kind === "line" ? palette[0] : undefined,
          tension: 0.25,
          fill: false,
        }],
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: kind === "doughnut", position: "bottom" },
          tooltip: { callbacks: { label: (ctx) => " " + fmt.format(ctx.parsed[horizontal ? "x" : "y"] ?? ctx.parsed) } },
        },
        scales: kind === "doughnut" ? {} : {
          [horizontal ? "x" : "y"]: { beginAtZero: true, ticks: { callback: (v) => fmt.format(v) } },
        },
      },
    });
    card.dataset.drawn = "true";
    return chart;
  }

  function drawAll(root) {
    root.querySelectorAll("[data-metric][data-chart]:not([data-drawn])").forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", () => drawAll(document));
  document.addEventListener("htmx:afterSwap", (event) => drawAll(event.target));
})();
