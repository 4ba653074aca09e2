// Copies the browser files the broker's web client and console load into broker/src/main/resources/web: this SDK's
// bundle and uPlot's (the console's charts). The broker module is built before this one, so the copies are committed;
// test/vendored.test.ts fails when one differs from a fresh build (run `npm run vendor` and commit the result).
import { copyFileSync } from 'node:fs';

export const WEB = '../broker/src/main/resources/web';
export const VENDORED = [
  ['dist/openrtm.min.js', `${WEB}/openrtm.min.js`],
  ['node_modules/uplot/dist/uPlot.iife.min.js', `${WEB}/uPlot.iife.min.js`],
  ['node_modules/uplot/dist/uPlot.min.css', `${WEB}/uPlot.min.css`],
];

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [from, to] of VENDORED) {
    copyFileSync(from, to);
    console.log(`${from} → ${to}`);
  }
}
