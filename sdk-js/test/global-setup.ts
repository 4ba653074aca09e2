import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';

/** A free TCP port on loopback (the broker binds it right after; a race with another process is unlikely). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

let broker: ChildProcess | undefined;
let dataDir: string | undefined;

/** Starts one real OpenRTM broker (the jar of ../broker) for the whole run, on free ports with a temporary data folder. */
export async function setup(project: TestProject): Promise<void> {
  const jar = resolve(__dirname, '../../broker/target/rtm-broker.jar');
  if (!existsSync(jar)) throw new Error(`${jar} is missing: build the broker first (mvn -B -pl broker -am -DskipTests package)`);
  const [mqttPort, wsPort] = [await freePort(), await freePort()];
  dataDir = mkdtempSync(join(tmpdir(), 'rtm-sdk-js-'));
  const secret = randomBytes(32).toString('base64url');
  const log: string[] = [];
  broker = spawn(
    'java',
    ['-jar', jar, '--host', '127.0.0.1', '--mqtt-port', String(mqttPort), '--ws-port', String(wsPort), '--http-port', 'off', '--no-coap', '--data', dataDir],
    { env: { ...process.env, RTM_SECRET: secret }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`the broker did not start within 90 s:\n${log.join('')}`)), 90_000);
    const onData = (d: Buffer) => {
      log.push(d.toString());
      if (log.join('').includes('mint a token with')) {
        clearTimeout(timer);
        res();
      }
    };
    broker!.stdout!.on('data', onData);
    broker!.stderr!.on('data', onData);
    broker!.once('exit', (code) => rej(new Error(`the broker exited with ${code}:\n${log.join('')}`)));
  });
  project.provide('broker', { mqttPort, wsPort, secret, jar });
}

export async function teardown(): Promise<void> {
  if (broker && broker.exitCode === null) {
    const exited = new Promise((res) => broker!.once('exit', res));
    broker.kill('SIGTERM');
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([exited, new Promise((res) => (timer = setTimeout(res, 20_000)))]);
    clearTimeout(timer);
    if (broker.exitCode === null) broker.kill('SIGKILL');
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    broker: { mqttPort: number; wsPort: number; secret: string; jar: string };
  }
}
