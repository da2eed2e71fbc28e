/**
 * `tailstream report RUN... [--out DIR]`: report.html (self-contained, opens offline) and a PNG per chart
 * for one or more finished run folders; with several runs, a comparison table with deltas against `ce`.
 */
import { Command, Option } from 'commander';
import { defaultReportDir, writeReport } from '../eval/report/write-report.js';
import { parseNumber } from './parse-flags.js';

/** Options as commander hands them over. */
interface ReportFlags {
  out?: string;
  png: boolean;
  pngScale: number;
  title?: string;
}

/** Builds the `report` command. */
export const reportCommand = (): Command =>
  new Command('report')
    .description('write report.html (self-contained, opens offline) and PNG charts for finished run folders')
    .argument('<run...>', 'run folders written by tailstream train')
    .addOption(new Option('--out <dir>', 'folder for report.html and the PNGs (default: <run>/report for one run, ./report for several)'))
    .addOption(new Option('--png-scale <factor>', 'PNG pixels per chart pixel (> 0)').argParser(parseNumber('--png-scale', 0, true)).default(2))
    .addOption(new Option('--title <text>', 'the page title'))
    .option('--no-png', 'write report.html only')
    .action(async (runs: string[], flags: ReportFlags) => {
      const out = flags.out ?? defaultReportDir(runs);
      const written = await writeReport(runs, {
        out,
        png: flags.png,
        pngScale: flags.pngScale,
        ...(flags.title !== undefined ? { title: flags.title } : {}),
      });
      if (written.pngSkipped !== null) process.stderr.write(`report: ${written.pngSkipped}\n`);
      process.stderr.write(`report: ${written.runs.length} run${written.runs.length === 1 ? '' : 's'}, ${written.pngs.length} PNG${written.pngs.length === 1 ? '' : 's'} in ${out}\n`);
      process.stdout.write(`${written.html}\n`);
    });
