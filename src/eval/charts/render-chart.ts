/**
 * Renders a Vega-Lite spec to SVG in Node (vega-lite compiles it to Vega; a headless Vega View with the
 * 'none' renderer draws the scenegraph with `toSVG()`), and an SVG to PNG with resvg.
 *
 * Intuition: no browser and no canvas package are needed; text widths are estimated by Vega when no canvas
 * is installed, which is close enough for axis labels.
 */
import type { ChartSpec } from './chart-theme.js';

/** The SVG markup of a chart. vega and vega-lite load on first use, so importing tailstream stays fast. */
export const renderSvg = async (spec: ChartSpec): Promise<string> => {
  const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
};

/**
 * Makes the ids of an SVG (Vega's clip paths and gradients) unique with `prefix`, so several charts can be
 * inlined in one HTML page without one chart's `url(#clip1)` pointing into another's.
 */
export const scopeSvgIds = (svg: string, prefix: string): string => {
  const ids = new Set(Array.from(svg.matchAll(/\sid="([^"]+)"/g), (m) => m[1]!));
  if (ids.size === 0) return svg;
  return svg
    .replace(/(\sid=")([^"]+)"/g, (all, head: string, id: string) => (ids.has(id) ? `${head}${prefix}${id}"` : all))
    .replace(/url\(#([^)]+)\)/g, (all, id: string) => (ids.has(id) ? `url(#${prefix}${id})` : all))
    .replace(/(href=")#([^"]+)"/g, (all, head: string, id: string) => (ids.has(id) ? `${head}#${prefix}${id}"` : all));
};

/** Whether PNG output is available (the resvg native package installed for this platform). */
export const pngAvailable = async (): Promise<boolean> => {
  try {
    await import('@resvg/resvg-js');
    return true;
  } catch {
    return false;
  }
};

/**
 * Rasterizes an SVG to PNG bytes at `scale` × its size, with the system's fonts.
 * @throws when @resvg/resvg-js cannot be loaded on this platform (check `pngAvailable` first).
 */
export const renderPng = async (svg: string, scale = 2): Promise<Uint8Array> => {
  const { Resvg } = await import('@resvg/resvg-js');
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  }).render();
  return new Uint8Array(png.asPng());
};
