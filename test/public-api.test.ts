import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

describe('public API', () => {
  it('exports each layer as a namespace, with a reviewed list of names', () => {
    const names = Object.fromEntries(Object.entries(api).map(([ns, mod]) => [ns, Object.keys(mod as object).sort()]));
    expect(names).toMatchSnapshot();
  });
});
