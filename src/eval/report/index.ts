/** The visual report: reading run folders, their charts, and report.html with PNGs. */
export { MetricsFile, LogRecord, ConfigSummary, RunStatusFile, decodeFile } from './run-files.js';
export { readRun, decodeLog } from './read-run.js';
export type { RunData } from './read-run.js';
export { runCharts, runSummary, RUN_CHART_IDS } from './report-charts.js';
export type { ReportChart, RunChartId } from './report-charts.js';
export { reportHtml, escapeHtml } from './report-html.js';
export type { ReportPage, PageRun, PageChart } from './report-html.js';
export { writeReport, defaultReportDir, uniqueNames, fileSafe } from './write-report.js';
export type { WriteReportOptions, WrittenReport } from './write-report.js';
