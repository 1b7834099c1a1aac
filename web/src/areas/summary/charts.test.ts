import { describe, expect, it } from 'vitest';
import { countsOption, histogram, scoresOption, topOption } from './charts';

const children = [
  { officeId: 'a', displayName: '东区', applied: 5, submitted: 4, scored: 3, returned: 1, recommended: 1, meanTotal: '85.50', medianTotal: '86.00' },
  { officeId: 'b', displayName: '西区' },
];

describe('chart options', () => {
  it('counts each state per child office, absent counts as zero', () => {
    const o = countsOption(children) as { series: { name: string; data: number[] }[]; xAxis: { data: string[] } };
    expect(o.xAxis.data).toEqual(['东区', '西区']);
    expect(o.series.find((s) => s.name === '申报')?.data).toEqual([5, 0]);
    expect(o.series.find((s) => s.name === '否决')?.data).toEqual([0, 0]);
  });
  it('shows scores only for offices with results', () => {
    const o = scoresOption(children) as { series: { data: number[] }[]; xAxis: { data: string[] } };
    expect(o.xAxis.data).toEqual(['东区']);
    expect(o.series[0].data).toEqual([85.5]);
  });
  it('renders tooltips as canvas text, not HTML', () => {
    expect((countsOption(children) as { tooltip: { renderMode: string } }).tooltip.renderMode).toBe('richText');
  });
  it('lists the best units best on top', () => {
    const o = topOption([{ place: 1, unitDisplayName: '甲', total: '95.00' }, { place: 2, unitDisplayName: '乙', total: '90.00' }]) as {
      yAxis: { data: string[] };
    };
    expect(o.yAxis.data).toEqual(['2. 乙', '1. 甲']);
  });
});

describe('histogram', () => {
  it('buckets totals into 10-point bands from the lowest to the highest', () => {
    expect(histogram([{ total: '95.00' }, { total: '91.20' }, { total: '78.00' }, { total: '70.00' }])).toEqual([
      { label: '70–80', count: 2 },
      { label: '80–90', count: 0 },
      { label: '90–100', count: 2 },
    ]);
    expect(histogram([])).toEqual([]);
  });
});
