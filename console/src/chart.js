// ECharts, only the pieces the statistics screen draws: loaded by a dynamic import, never on the first load.
import { init, use } from 'echarts/core'
import { BarChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

// Bars per region: this period beside the previous one, as the API counted them.
export function drawBars(element, { labels, series }) {
  const chart = init(element, null, { renderer: 'canvas' })
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 40, right: 10, top: 30, bottom: 60 },
    xAxis: { type: 'category', data: labels, axisLabel: { rotate: 30 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data })),
  })
  return chart
}
