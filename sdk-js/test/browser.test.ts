import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { broker, token, uniqueUid } from './helpers.js';

/** The system's Chromium (CI installs Debian's); never a downloaded one. */
const chromium = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
const bundle = resolve(__dirname, '../dist/openrtm.min.js');

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>rtm</title></head><body>
<script type="module">
  import * as OpenRTM from '/openrtm.min.js';
  window.OpenRTM = OpenRTM;
  window.received = [];
  window.ready = true;
</script></body></html>`;

let server: Server;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  if (!chromium) return;
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build first`);
  server = createServer((req, res) => {
    if (req.url === '/openrtm.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(bundle));
    } else {
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', '--disable-dev-shm-usage'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
});

async function openPage(uid: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`[${uid}] page error:`, e));
  await page.goto(origin);
  await page.waitForFunction('window.ready === true');
  const url = `ws://127.0.0.1:${broker().wsPort}/mqtt`;
  await page.evaluate(
    async (url, uid, tok) => {
      const w = window as any;
      const c = new w.OpenRTM.RtmClient({ url, uid, token: tok });
      c.on('peerMessage', (m: any) => w.received.push(m.text !== undefined ? { kind: 'peer', from: m.from, text: m.text } : { kind: 'peer', from: m.from, bytes: Array.from(m.payload) }));
      c.on('channelMessage', (m: any) => w.received.push({ kind: 'channel', channel: m.channel, from: m.from, text: m.text }));
      await c.login();
      w.client = c;
    },
    url,
    uid,
    token(uid),
  );
  return page;
}

/** Waits until a page has received n messages; on timeout the error shows what it has. */
async function receivedAtLeast(page: Page, n: number): Promise<void> {
  await page.waitForFunction(`window.received.length >= ${n}`, { timeout: 20_000 }).catch(async (e) => {
    throw new Error(`${e.message}; the page has ${JSON.stringify(await received(page))}`);
  });
}

const received = (page: Page) => page.evaluate(() => (window as any).received as Array<Record<string, string>>);

describe.skipIf(!chromium)('in headless Chromium, through the browser bundle over MQTT over WebSocket', () => {
  it('two pages exchange peer and channel messages', async () => {
    const [alice, bob] = [uniqueUid('alice'), uniqueUid('bob')];
    const room = uniqueUid('room');
    const pa = await openPage(alice);
    const pb = await openPage(bob);

    const status = await pa.evaluate(async (bob) => {
      const r = await (window as any).client.peer.send(bob, 'hello from page A', { receipt: true });
      const receipt = await r.receipt;
      return { status: r.status, receiptTo: receipt.to };
    }, bob);
    expect(status).toEqual({ status: 'DELIVERED', receiptTo: bob });
    await receivedAtLeast(pb, 1);
    expect(await received(pb)).toEqual([{ kind: 'peer', from: alice, text: 'hello from page A' }]);

    await pa.evaluate((room) => (window as any).client.channels.join(room), room);
    await pb.evaluate((room) => (window as any).client.channels.join(room), room);
    const recipients = await pb.evaluate((room) => (window as any).client.channels.send(room, 'hi channel').then((r: any) => r.recipients), room);
    expect(recipients).toBe(1);
    await receivedAtLeast(pa, 1);
    expect(await received(pa)).toEqual([{ kind: 'channel', channel: room, from: bob, text: 'hi channel' }]);

    // bytes survive the browser's MQTT.js build too
    await pb.evaluate((alice) => (window as any).client.peer.send(alice, new Uint8Array([1, 2, 3, 250])), alice);
    await receivedAtLeast(pa, 2);
    expect((await received(pa))[1]).toEqual({ kind: 'peer', from: bob, bytes: [1, 2, 3, 250] });
    await pa.evaluate(() => (window as any).client.logout());
    await pb.evaluate(() => (window as any).client.logout());
  }, 60_000);
});
