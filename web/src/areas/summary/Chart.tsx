// Chart draws one ECharts option. Only the bar chart and the components it uses are
// registered (echarts/core), so this area carries a fraction of ECharts, and nothing of it
// loads outside the summary area.
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, DataZoomComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

export default function Chart({ option, height = 320, label, onClick }: {
  option: ChartOption;
  height?: number;
  label: string;
  onClick?: (dataIndex: number) => void;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    const ro = typeof ResizeObserver !== 'undefined' ? new ResizeObserver(() => c.resize()) : null;
    ro?.observe(el.current);
    return () => {
      ro?.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    // Motion off: the console turns animations off for end-to-end runs and reduced motion.
    const reduced = typeof matchMedia !== 'undefined' && matchMedia('(prefers-reduced-motion: reduce)').matches;
    chart.current?.setOption({ animation: !reduced, ...option }, true);
  }, [option]);
  useEffect(() => {
    const c = chart.current;
    if (!c || !onClick) return;
    const h = (p: { dataIndex?: number }) => onClick(p.dataIndex ?? 0);
    c.on('click', h);
    return () => {
      if (!c.isDisposed()) c.off('click', h);
    };
  }, [onClick]);
  return <div ref={el} role="img" aria-label={label} style={{ width: '100%', height }} />;
}
