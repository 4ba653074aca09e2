import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChannelMessage, PeerMessage } from '../src/index.js';
import { broker, client, closeAll, token, until, uniqueUid } from './helpers.js';

/**
 * The classpath of the Java device SDK: written by the Maven build (target/java-sdk.classpath, see pom.xml), or given
 * as RTM_JAVA_SDK_CLASSPATH. Without either (a plain `npm test` before the Java SDK is built) the test is skipped.
 */
function javaSdkClasspath(): string | undefined {
  if (process.env.RTM_JAVA_SDK_CLASSPATH) return process.env.RTM_JAVA_SDK_CLASSPATH;
  const file = resolve(__dirname, '../target/java-sdk.classpath');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

const classpath = javaSdkClasspath();
let device: ChildProcess | undefined;

afterAll(async () => {
  device?.stdin?.end();
  if (device && device.exitCode === null) {
    const exited = new Promise((r) => device!.once('exit', r));
    const timer = setTimeout(() => device!.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  await closeAll();
});

describe.skipIf(!classpath)('interop with the Java device SDK', () => {
  it('a JS app and a Java device exchange peer messages (with receipts) and channel messages', async () => {
    const deviceUid = uniqueUid('java-device');
    const room = uniqueUid('interop');
    const out: string[] = [];
    device = spawn(
      'java',
      ['-cp', classpath!, resolve(__dirname, 'java/InteropDevice.java'), `tcp://127.0.0.1:${broker().mqttPort}`, deviceUid, token(deviceUid), room],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    device.stdout!.on('data', (d: Buffer) => out.push(...d.toString().split('\n').filter(Boolean)));
    await until(() => out.includes('READY'), 'the Java device to log in', 60_000);

    const app = client(uniqueUid('js-app'));
    const peer: PeerMessage[] = [];
    const channel: ChannelMessage[] = [];
    app.on('peerMessage', (m) => peer.push(m));
    app.on('channelMessage', (m) => channel.push(m));
    await app.login();

    const sent = await app.peer.send(deviceUid, 'unlock 4711', { receipt: true });
    expect(sent.status).toBe('DELIVERED');
    expect((await sent.receipt!).to).toBe(deviceUid); // the Java SDK acknowledged it
    await until(() => peer.length === 1, 'the echo from the Java device');
    expect(peer[0]).toMatchObject({ from: deviceUid, text: 'echo: unlock 4711', offline: false });
    await until(() => out.some((l) => l.startsWith('RECEIPT ')), 'the receipt at the Java device');
    expect(out).toContain(`RECEIPT ${app.uid}`);

    await app.channels.join(room);
    const r = await app.channels.send(room, 'hello device');
    expect(r.recipients).toBe(1);
    await until(() => channel.length === 1, 'the Java device to answer in the channel');
    expect(channel[0]).toMatchObject({ channel: room, from: deviceUid, text: 'seen: hello device' });
  }, 90_000);
});
