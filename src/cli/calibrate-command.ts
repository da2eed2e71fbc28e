/**
 * `tailstream calibrate RUN --method tau-norm|marc|logit-adjust`: post-hoc calibration of a finished
 * run; writes `metrics-<method>.json` beside `metrics.json` and prints the calibrated evaluation.
 */
import { Command, Option } from 'commander';
import { initBackend, parseBackendName, BACKEND_NAMES, type BackendName } from '../backend/select-backend.js';
import { CALIBRATION_METHODS, calibrateRun, type CalibrationMethod } from '../recipes/calibrate-run.js';
import { formatReport, formatPercent } from '../eval/format-report.js';
import { parseChoice, parseNumber } from './parse-flags.js';

/** Builds the `calibrate` command. */
export const calibrateCommand = (): Command =>
  new Command('calibrate')
    .description('post-hoc calibration of a finished run (τ-normalisation, MARC, logit adjustment)')
    .argument('<run>', 'run folder (with config.json and checkpoint.bin)')
    .addOption(new Option('--method <name>', CALIBRATION_METHODS.join(', ')).argParser(parseChoice('--method', CALIBRATION_METHODS)).makeOptionMandatory())
    .addOption(new Option('--tau <t>', 'τ of logit adjustment and τ-normalisation (default 1)').argParser(parseNumber('--tau', 0)))
    .addOption(new Option('--backend <name>', `auto, ${BACKEND_NAMES.join(', ')}`).argParser(parseBackendName).default('auto'))
    .option('--json', 'print the calibrated metrics as JSON on stdout', false)
    .action(async (run: string, flags: { method: CalibrationMethod; tau?: number; backend: BackendName | 'auto'; json: boolean }) => {
      await initBackend(flags.backend);
      const r = await calibrateRun(run, { method: flags.method, ...(flags.tau !== undefined ? { tau: flags.tau } : {}) });
      if (flags.json) process.stdout.write(`${JSON.stringify({ method: r.method, parameters: r.parameters, balancedAccuracy: r.report.balancedAccuracy, overallAccuracy: r.report.overallAccuracy, shotGroups: r.report.shotGroups }, null, 2)}\n`);
      else process.stdout.write(`${flags.method}: balanced accuracy ${formatPercent(r.report.balancedAccuracy)}\n${formatReport(r.report)}\n`);
      process.stderr.write(`written: ${r.file}\n`);
    });
