// Builds the browser bundle (one ES module with MQTT.js inside) and prints its size, minified and gzipped.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const outfile = 'dist/openrtm.min.js';
await build({
  entryPoints: ['src/index.ts'],
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  legalComments: 'eof',
  outfile,
});
const bytes = readFileSync(outfile);
console.log(`${outfile}: ${bytes.length} bytes minified, ${gzipSync(bytes, { level: 9 }).length} bytes minified + gzip`);
