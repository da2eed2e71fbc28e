import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  resolve: { alias: { tailstream: fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts', 'property-tests/**/*.prop.test.ts'],
    setupFiles: ['property-tests/setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Test files share a worker's module graph: importing tfjs once per worker instead of once per file
    // cuts the suite's time by about 4×. Every file selects its backend in beforeAll and frees what it creates.
    isolate: false,
    maxWorkers: 2,
  },
});
