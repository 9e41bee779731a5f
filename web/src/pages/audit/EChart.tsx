import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only the parts the console draws: bars and lines on a grid, drawn as SVG. This module is loaded
// lazily by the pages with charts, so neither the sign-in page nor the desk screens carry ECharts.
echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, SVGRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

/**
 * An ECharts chart in a labelled figure. `summary` says in words what the chart shows, for those
 * who do not see it; the numbers themselves are always also in a table beside it.
 */
export default function EChart({
  option,
  label,
  summary,
  height = 320,
}: {
  option: ChartOption;
  label: string;
  summary: string;
  height?: number;
}) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const chart = echarts.init(element.current!, undefined, { renderer: 'svg' });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, []);
  useEffect(() => {
    echarts.getInstanceByDom(element.current!)?.setOption(option, true);
  }, [option]);
  return (
    <figure style={{ margin: 0 }}>
      {/* The label sits on a wrapper: ECharts owns its container's attributes and would replace it. */}
      <div role="img" aria-label={`${label}：${summary}`}>
        <div ref={element} style={{ width: '100%', height }} />
      </div>
      <figcaption className="sr-only">{summary}</figcaption>
    </figure>
  );
}
