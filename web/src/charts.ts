// Small SVG charts. Labels pass through `escape`; everything else is numbers computed here.
import { escape, raw, type Safe } from "./ui";

export interface Bar {
  label: string;
  value: number;
  /** CSS colour class suffix: bar-ok, bar-warn, ... */
  kind?: string;
  title?: string;
}

export function barChart(bars: Bar[], opts: { height?: number; unit?: string; testId?: string } = {}): Safe {
  // Fixed drawing width, scaled to the card's width by the browser (height follows).
  const w = 600;
  const h = opts.height ?? 150;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const slot = w / Math.max(1, bars.length);
  const bw = Math.min(48, slot * 0.7);
  const inner = h - 40;
  const parts = bars.map((b, i) => {
    const bh = Math.max(b.value > 0 ? 2 : 0, (b.value / max) * inner);
    const cx = i * slot + slot / 2;
    const y = 16 + inner - bh;
    const value = b.value > 0 ? `<text x="${cx.toFixed(1)}" y="${(y - 3).toFixed(1)}" text-anchor="middle" class="axis">${escape(b.value.toLocaleString("en-US"))}</text>` : "";
    return `<g><title>${escape(b.title ?? `${b.label}: ${b.value}${opts.unit ?? ""}`)}</title>
      <rect class="bar ${escape(b.kind ?? "bar-ok")}" x="${(cx - bw / 2).toFixed(1)}" y="${y.toFixed(1)}" width="${bw.toFixed(1)}" height="${bh.toFixed(1)}" rx="2"></rect>${value}
      <text x="${cx.toFixed(1)}" y="${h - 8}" text-anchor="middle" class="axis">${escape(b.label)}</text></g>`;
  });
  const empty = bars.length === 0 ? `<text x="${w / 2}" y="${h / 2}" text-anchor="middle" class="axis">no data yet</text>` : "";
  return raw(
    `<svg class="chart" data-testid="${escape(opts.testId ?? "chart")}" viewBox="0 0 ${w} ${h}" width="100%" role="img">${parts.join("")}${empty}
     <line x1="0" y1="${16 + inner}" x2="${w}" y2="${16 + inner}" class="baseline"></line></svg>`,
  );
}

export function lineChart(points: { x: number; y: number }[], opts: { height?: number; testId?: string; xLabel?: string } = {}): Safe {
  const h = opts.height ?? 120;
  const w = 600;
  if (points.length < 2) return raw(`<svg class="chart" viewBox="0 0 ${w} ${h}" height="${h}"></svg>`);
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const y1 = Math.max(...ys, 1);
  const px = (x: number) => 30 + ((x - x0) / Math.max(1, x1 - x0)) * (w - 40);
  const py = (y: number) => 10 + (1 - y / y1) * (h - 35);
  const d = points.map((p, i) => `${i ? "L" : "M"}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(" ");
  return raw(
    `<svg class="chart" data-testid="${escape(opts.testId ?? "line")}" viewBox="0 0 ${w} ${h}" width="100%" role="img">
      <path d="${d}" class="line"></path>
      <line x1="30" y1="${h - 25}" x2="${w - 10}" y2="${h - 25}" class="baseline"></line>
      <text x="30" y="${h - 8}" class="axis">${escape(x0)}</text>
      <text x="${w - 10}" y="${h - 8}" class="axis" text-anchor="end">${escape(x1)} ${escape(opts.xLabel ?? "")}</text></svg>`,
  );
}

/** Stacked horizontal bar of vote options against total power, with markers (threshold, quorum). */
export function tallyBar(
  segments: { label: string; value: bigint; kind: string }[],
  total: bigint,
  markers: { at: number; label: string }[] = [],
): Safe {
  const w = 600;
  const h = 38;
  let x = 0;
  const t = total > 0n ? total : 1n;
  const rects = segments.map((s) => {
    const sw = Number((s.value * BigInt(w * 1000)) / t) / 1000;
    const r = `<rect x="${x.toFixed(2)}" y="6" width="${sw.toFixed(2)}" height="18" class="seg ${escape(s.kind)}"><title>${escape(s.label)}</title></rect>`;
    x += sw;
    return r;
  });
  const marks = markers.map(
    (m) =>
      `<line x1="${(m.at * w).toFixed(1)}" y1="2" x2="${(m.at * w).toFixed(1)}" y2="28" class="marker"></line><text x="${(m.at * w).toFixed(1)}" y="37" class="axis" text-anchor="middle">${escape(m.label)}</text>`,
  );
  return raw(
    `<svg class="chart tally" viewBox="0 0 ${w} ${h + 4}" width="100%" role="img"><rect x="0" y="6" width="${w}" height="18" class="track"></rect>${rects.join("")}${marks.join("")}</svg>`,
  );
}

export function progress(value: number, testId: string): Safe {
  const v = Math.max(0, Math.min(1, value));
  return raw(`<div class="progress" data-testid="${escape(testId)}"><div style="width:${(v * 100).toFixed(1)}%"></div></div>`);
}
