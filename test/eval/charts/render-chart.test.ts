import { describe, expect, it } from 'vitest';
import { longTailProfileChart } from '../../../src/eval/charts/long-tail-profile-chart.js';
import { confusionMatrixChart } from '../../../src/eval/charts/confusion-matrix-chart.js';
import { pngAvailable, renderPng, renderSvg, scopeSvgIds } from '../../../src/eval/charts/render-chart.js';

describe('rendering charts in Node', () => {
  it('renders a Vega-Lite spec to an SVG with its marks', async () => {
    const svg = await renderSvg(longTailProfileChart([500, 50, 5]));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('class="mark-rect role-mark');
    // Three bars: one path per class inside the bar mark group.
    const bars = svg.split('class="mark-rect role-mark')[1]!.split('</g>')[0]!;
    expect(bars.match(/<path /g)).toHaveLength(3);
  });

  it('prefixes ids and their references so several SVGs can share one page', async () => {
    const svg = await renderSvg(confusionMatrixChart([[1, 0], [0, 1]]));
    const ids = Array.from(svg.matchAll(/\sid="([^"]+)"/g), (m) => m[1]!);
    expect(ids.length).toBeGreaterThan(0); // the colour legend's gradient
    const scoped = scopeSvgIds(svg, 'r1-');
    for (const id of ids) {
      expect(scoped).toContain(`id="r1-${id}"`);
      expect(scoped).not.toContain(`url(#${id})`);
    }
    expect(scopeSvgIds('<svg><rect/></svg>', 'x-')).toBe('<svg><rect/></svg>');
    expect(scopeSvgIds('<svg><clipPath id="c1"/><g clip-path="url(#c1)"/><use href="#c1"/></svg>', 'p-')).toBe(
      '<svg><clipPath id="p-c1"/><g clip-path="url(#p-c1)"/><use href="#p-c1"/></svg>',
    );
  });

  it('rasterizes an SVG to PNG with @resvg/resvg-js', async () => {
    expect(await pngAvailable()).toBe(true);
    const png = await renderPng(await renderSvg(longTailProfileChart([10, 1])), 1);
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });
});
