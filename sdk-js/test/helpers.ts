import { createHmac } from 'node:crypto';
import { createServer, connect, type Socket, type Server } from 'node:net';
import { inject } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { RtmClient, type PeerMessage, type RtmClientOptions } from '../src/index.js';

export const broker = () => inject('broker');

/** A token as `rtm-broker.jar token` mints it: HS256 JWT, sub = uid, exp, optional rtm.role. */
export function token(uid: string, options: { role?: 'user' | 'service' | 'admin'; ttlSeconds?: number; secret?: string } = {}): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { sub: uid, iat: now, exp: now + (options.ttlSeconds ?? 3600) };
  if (options.role && options.role !== 'user') claims['rtm.role'] = options.role;
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  const sig = createHmac('sha256', options.secret ?? broker().secret).update(head).digest('base64url');
  return `${head}.${sig}`;
}

let n = 0;
/** A uid unique to this test run (test files share one broker). */
export function uniqueUid(name: string): string {
  return `${name}-${process.pid}-${++n}-${Math.random().toString(36).slice(2, 6)}`;
}

const clients: RtmClient[] = [];

/** An SDK client of the shared broker over TCP (closed after the test file). */
export function client(uid: string, extra: Partial<RtmClientOptions> = {}): RtmClient {
  const c = new RtmClient({ url: `mqtt://127.0.0.1:${broker().mqttPort}`, uid, token: token(uid), ...extra });
  clients.push(c);
  return c;
}

/** Two logged-in clients; the second collects the peer messages it gets. */
export async function loggedInPair(a = 'alice', b = 'bob'): Promise<{ alice: RtmClient; bob: RtmClient; got: PeerMessage[] }> {
  const alice = client(uniqueUid(a));
  const bob = client(uniqueUid(b));
  const got: PeerMessage[] = [];
  bob.on('peerMessage', (m) => got.push(m));
  await alice.login();
  await bob.login();
  return { alice, bob, got };
}

export async function closeAll(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
}

/** An independent plain MQTT.js client (no SDK): the other side of a test, to check what is really on the wire. */
export async function rawClient(uid: string, port = broker().mqttPort): Promise<MqttClient> {
  const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: uid, username: uid, password: token(uid), protocolVersion: 5, reconnectPeriod: 0, clean: true });
  await new Promise<void>((res, rej) => {
    c.once('connect', () => res());
    c.once('error', rej);
  });
  return c;
}

/** Resolves when the predicate holds, polling; fails after the timeout with the message. */
export async function until(predicate: () => boolean, message = 'condition', timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${message}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A TCP proxy in front of the broker whose connections a test can cut, like a network failure. */
export class CuttableProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /** While paused, new connections are refused (the network is down). */
  down = false;

  async start(target = broker().mqttPort): Promise<this> {
    this.server = createServer((inbound) => {
      if (this.down) {
        inbound.destroy();
        return;
      }
      const outbound = connect(target, '127.0.0.1');
      this.sockets.add(inbound).add(outbound);
      const drop = () => {
        inbound.destroy();
        outbound.destroy();
        this.sockets.delete(inbound);
        this.sockets.delete(outbound);
      };
      inbound.on('error', drop).on('close', drop);
      outbound.on('error', drop).on('close', drop);
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
    await new Promise<void>((res) => this.server!.listen(0, '127.0.0.1', () => res()));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Cuts every live connection at once, without a DISCONNECT (the broker sees a socket error). */
  cut(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((res) => this.server?.close(() => res()));
  }
}
