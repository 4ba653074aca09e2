import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VENDORED } from '../vendor-web.mjs';

// The broker serves committed copies of the browser bundle and of uPlot (it is built before this module):
// they must be what `npm run build` makes now. Fix a failure with `npm run vendor` and commit the copies.
describe('the copies in the broker web folder', () => {
  for (const [fresh, committed] of VENDORED as [string, string][]) {
    it(`${committed} equals ${fresh}`, () => {
      const a = readFileSync(fresh);
      const b = readFileSync(committed);
      expect(b.equals(a), `${committed} differs from a fresh ${fresh}: run "npm run vendor" in sdk-js and commit`).toBe(true);
    });
  }
});
