// The dashboard's chart options, built from an OfficeSummary. Kept apart from the
// components so the numbers they show are tested without a canvas. Tooltips render as
// canvas rich text, not HTML, so office and unit names from the API are never markup.
import type { components } from '../../api/schema';
import type { ChartOption } from './Chart';

export type OfficeSummary = components['schemas']['v1OfficeSummary'];
export type OfficeCounts = components['schemas']['v1OfficeCounts'];
export type TopUnit = components['schemas']['v1TopUnit'];

export const countSeries: { key: keyof OfficeCounts; name: string }[] = [
  { key: 'applied', name: '申报' },
  { key: 'submitted', name: '已报送' },
  { key: 'scored', name: '已评分' },
  { key: 'returned', name: '整改中' },
  { key: 'vetoed', name: '否决' },
  { key: 'recommended', name: '推荐' },
];

export function num(v: string | number | undefined): number {
  const n = Number(v ?? 0);
  return Number.isFinite(n) ? n : 0;
}

export function countsOption(children: OfficeCounts[]): ChartOption {
  return {
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 36, bottom: 60 },
    xAxis: { type: 'category', data: children.map((c) => c.displayName ?? ''), axisLabel: { interval: 0, rotate: children.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: countSeries.map((s) => ({
      name: s.name,
      type: 'bar',
      data: children.map((c) => num(c[s.key] as number | undefined)),
    })),
  };
}

export function scoresOption(children: OfficeCounts[]): ChartOption {
  const scored = children.filter((c) => num(c.scored) > 0);
  return {
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 36, bottom: 60 },
    xAxis: { type: 'category', data: scored.map((c) => c.displayName ?? ''), axisLabel: { interval: 0, rotate: scored.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value', name: '总分' },
    series: [
      { name: '平均分', type: 'bar', data: scored.map((c) => num(c.meanTotal)) },
      { name: '中位数', type: 'bar', data: scored.map((c) => num(c.medianTotal)) },
    ],
  };
}

// histogram buckets the best units' totals into bands of width (10 points by default),
// from the lowest band holding a total to the highest: the shape of the top of the field.
export function histogram(top: TopUnit[], width = 10): { label: string; count: number }[] {
  const totals = top.map((t) => num(t.total));
  if (totals.length === 0) return [];
  const lo = Math.floor(Math.min(...totals) / width) * width;
  const hi = Math.floor(Math.max(...totals) / width) * width;
  const out: { label: string; count: number }[] = [];
  for (let b = lo; b <= hi; b += width) out.push({ label: `${b}–${b + width}`, count: 0 });
  for (const t of totals) out[Math.floor((Math.floor(t / width) * width - lo) / width)].count++;
  return out;
}

export function distributionOption(top: TopUnit[]): ChartOption {
  const h = histogram(top);
  return {
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    grid: { left: 40, right: 16, top: 24, bottom: 40 },
    xAxis: { type: 'category', name: '总分', data: h.map((b) => b.label) },
    yAxis: { type: 'value', name: '单位数', minInterval: 1 },
    series: [{ name: '单位数', type: 'bar', data: h.map((b) => b.count) }],
  };
}

export function topOption(top: TopUnit[]): ChartOption {
  const rows = [...top].reverse();
  return {
    tooltip: { trigger: 'axis', renderMode: 'richText', axisPointer: { type: 'shadow' } },
    grid: { left: 160, right: 24, top: 16, bottom: 24 },
    xAxis: { type: 'value', name: '总分' },
    yAxis: { type: 'category', data: rows.map((t) => `${t.place ?? ''}. ${t.unitDisplayName ?? ''}`) },
    series: [{ name: '总分', type: 'bar', data: rows.map((t) => num(t.total)) }],
  };
}
