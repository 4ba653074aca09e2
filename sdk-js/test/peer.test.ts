import { afterAll, describe, expect, it } from 'vitest';
import { PayloadTooLargeError, type PeerMessage } from '../src/index.js';
import { client, closeAll, loggedInPair, rawClient, until, uniqueUid } from './helpers.js';

afterAll(closeAll);

describe('peer messages', () => {
  it('an online peer gets the message; the result says DELIVERED and the receipt comes when asked for', async () => {
    const { alice, bob, got } = await loggedInPair();

    const r = await alice.peer.send(bob.uid, 'hello bob', { receipt: true, properties: { kind: 'greeting' } });
    expect(r.status).toBe('DELIVERED');
    expect(r.messageId).toMatch(/^[0-9A-Z]{16}$/);
    const receipt = await r.receipt!;
    expect(receipt).toEqual({ messageId: r.messageId, to: bob.uid });
    await until(() => got.length === 1, 'bob gets the message');
    expect(got[0]).toMatchObject({ from: alice.uid, text: 'hello bob', messageId: r.messageId, offline: false, properties: { kind: 'greeting' } });
    expect(got[0].serverTime).toBeGreaterThan(Date.now() - 60_000);
  });

  it('without receipt: true no receipt is asked for and the result has none', async () => {
    const { alice, bob, got } = await loggedInPair();
    const r = await alice.peer.send(bob.uid, 'no receipt please');
    expect(r.receipt).toBeUndefined();
    await until(() => got.length === 1, 'bob gets the message');
    // what the wire says: the message carried no rtm-receipt (checked from the recipient's side, where user
    // properties pass through): the SDK only asks when the application does
    expect(got[0].properties['rtm-receipt']).toBeUndefined();
  });

  it('an offline peer: CACHED, then delivered with offline=true at its login; offline=false gives UNREACHABLE', async () => {
    const alice = client(uniqueUid('alice'));
    const bobUid = uniqueUid('bob');
    await alice.login();
    const cached = await alice.peer.send(bobUid, 'while you were away', { receipt: true });
    expect(cached.status).toBe('CACHED');
    const unreachable = await alice.peer.send(bobUid, 'now or never', { offline: false });
    expect(unreachable.status).toBe('UNREACHABLE');

    const bob = client(bobUid);
    const got: PeerMessage[] = [];
    bob.on('peerMessage', (m) => got.push(m));
    await bob.login();
    await until(() => got.length === 1, 'the cached message');
    expect(got[0]).toMatchObject({ text: 'while you were away', offline: true, messageId: cached.messageId });
    expect((await cached.receipt!).to).toBe(bobUid);
  });

  it('bytes arrive as bytes', async () => {
    const { alice, bob, got } = await loggedInPair();
    await alice.peer.send(bob.uid, new Uint8Array([0xff, 0, 1, 2]));
    await until(() => got.length === 1, 'the bytes');
    expect([...got[0].payload]).toEqual([0xff, 0, 1, 2]);
    expect(got[0].text).toBeUndefined();
  });

  it('a payload over the server limit fails with PayloadTooLargeError naming the limit, and nothing is delivered', async () => {
    const alice = client(uniqueUid('alice'));
    await alice.login();
    const bob = await rawClient(uniqueUid('bob'));
    const e = await alice.peer.send(bob.options.clientId!, 'x'.repeat(9000)).catch((x) => x);
    expect(e).toBeInstanceOf(PayloadTooLargeError);
    expect(e.code).toBe('TOO_LARGE');
    expect(e.reasonCode).toBe(0x97);
    expect(e.status).toBe('too_large');
    expect(e.message).toContain('8192');
    expect(e.message).toContain('9000');
    bob.end(true);
  });
});

