#!/usr/bin/env node
// Project lint: rules tsc cannot express. Exits 1 with one line per finding.
//  - no Math.random in src/ (randomness comes from the seeded Rng);
//  - only src/backend/ imports a tfjs backend package;
//  - no focused tests (.only) in test/ or property-tests/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });

const findings = [];
const check = (files, pattern, why, allow = () => false) => {
  for (const f of files) {
    if (allow(f)) continue;
    readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
      if (pattern.test(line)) findings.push(`${f}:${i + 1}: ${why}`);
    });
  }
};
const src = walk('src');
const tests = [...walk('test'), ...walk('property-tests')];
check(src, /Math\.random/, 'Math.random is banned in src/: take randomness from an Rng');
check(
  src,
  /from '@tensorflow\/tfjs(-node|-node-gpu|-backend-wasm|-backend-cpu)?'|import\('@tensorflow\/tfjs-(node|backend)/,
  'only src/backend/ may import a tfjs backend package (use @tensorflow/tfjs-core)',
  (f) => f.startsWith(path.join('src', 'backend') + path.sep),
);
check(tests, /\b(it|test|describe)\.only\(/, 'focused test (.only) hides the rest of the suite');
if (findings.length > 0) {
  console.error(findings.join('\n'));
  process.exit(1);
}
console.log(`lint: ${src.length + tests.length} files clean`);
