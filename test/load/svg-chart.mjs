// A grouped bar chart as hand-written SVG: no network, no dependencies, readable in any browser
// and on GitHub. One linear scale on purpose, so the gap between the bars is the message.

/**
 * @typedef {{ label: string, values: number[], notes?: string[] }} BarGroup
 * @typedef {{ title: string, subtitle?: string, series: { name: string, color: string }[],
 *   groups: BarGroup[], yLabel: string, footnote?: string }} BarChart
 */

/** @param {string} text */
function esc(text) {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c,
  );
}

/** A round upper bound for the axis, at most about a quarter above the tallest bar. */
function niceMax(/** @type {number} */ value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    if (step * power >= value * 1.08) return step * power;
  }
  return 10 * power;
}

/**
 * @param {BarChart} chart
 * @returns {string} the SVG document
 */
export function barChartSvg(chart) {
  const width = 760;
  const height = 440;
  const plot = { left: 80, right: 20, top: 78, bottom: 92 };
  const plotWidth = width - plot.left - plot.right;
  const plotHeight = height - plot.top - plot.bottom;
  const maxValue = niceMax(Math.max(...chart.groups.flatMap((g) => g.values)));
  const y = (/** @type {number} */ v) => plot.top + plotHeight - (v / maxValue) * plotHeight;
  const groupWidth = plotWidth / chart.groups.length;
  const barWidth = Math.min(70, (groupWidth * 0.7) / chart.series.length);

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="26" text-anchor="middle" font-size="17" font-weight="600">${esc(chart.title)}</text>`,
  ];
  if (chart.subtitle) {
    parts.push(
      `<text x="${width / 2}" y="46" text-anchor="middle" fill="#555">${esc(chart.subtitle)}</text>`,
    );
  }
  for (let i = 0; i <= 5; i++) {
    const value = (maxValue * i) / 5;
    parts.push(
      `<line x1="${plot.left}" x2="${width - plot.right}" y1="${y(value)}" y2="${y(value)}" stroke="#e3e3e3"/>`,
      `<text x="${plot.left - 8}" y="${y(value) + 4}" text-anchor="end" fill="#555">${value.toLocaleString('en-US')}</text>`,
    );
  }
  parts.push(
    `<text transform="translate(18 ${plot.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" fill="#333">${esc(chart.yLabel)}</text>`,
  );
  chart.groups.forEach((group, g) => {
    const center = plot.left + groupWidth * (g + 0.5);
    const start = center - (barWidth * chart.series.length) / 2;
    group.values.forEach((value, s) => {
      const x = start + s * barWidth;
      const top = y(value);
      const color = chart.series[s]?.color ?? '#888';
      parts.push(
        `<rect x="${x + 2}" y="${top}" width="${barWidth - 4}" height="${Math.max(0, plot.top + plotHeight - top)}" fill="${color}"><title>${esc(`${chart.series[s]?.name}: ${value}`)}</title></rect>`,
        `<text x="${x + barWidth / 2}" y="${top - 6}" text-anchor="middle" font-weight="600" fill="${color}">${value.toLocaleString('en-US')}</text>`,
      );
    });
    parts.push(
      `<text x="${center}" y="${plot.top + plotHeight + 20}" text-anchor="middle" fill="#222">${esc(group.label)}</text>`,
    );
    (group.notes ?? []).forEach((note, n) => {
      parts.push(
        `<text x="${center}" y="${plot.top + plotHeight + 38 + n * 16}" text-anchor="middle" fill="#555" font-size="12">${esc(note)}</text>`,
      );
    });
  });
  parts.push(
    `<line x1="${plot.left}" x2="${width - plot.right}" y1="${plot.top + plotHeight}" y2="${plot.top + plotHeight}" stroke="#333"/>`,
  );
  chart.series.forEach((series, s) => {
    const x = plot.left + 10 + s * 230;
    parts.push(
      `<rect x="${x}" y="56" width="14" height="14" fill="${series.color}"/>`,
      `<text x="${x + 20}" y="67" fill="#222">${esc(series.name)}</text>`,
    );
  });
  if (chart.footnote) {
    parts.push(
      `<text x="${width / 2}" y="${height - 8}" text-anchor="middle" fill="#777" font-size="11">${esc(chart.footnote)}</text>`,
    );
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
