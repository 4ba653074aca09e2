import { afterAll, describe, expect, it } from 'vitest';
import { ConflictError, type LocalInvitation, type RemoteInvitation } from '../src/index.js';
import { client, closeAll, until, uniqueUid } from './helpers.js';

afterAll(closeAll);

describe('call invitations', () => {
  it('invite → received → accept with a response: both sides told', async () => {
    const phone = client(uniqueUid('phone'));
    const car = client(uniqueUid('car'));
    const received: RemoteInvitation[] = [];
    car.on('remoteInvitationReceived', (inv) => {
      received.push(inv);
      void inv.accept('unlocked');
    });
    const byPeer: LocalInvitation[] = [];
    phone.on('localInvitationReceivedByPeer', (inv) => byPeer.push(inv));
    await phone.login();
    await car.login();
    const call = phone.calls.invite(car.uid, { content: 'unlock 4711', channel: 'garage' });
    expect(await call.sent).toBe('DELIVERED');
    const outcome = await call.outcome;
    expect(outcome).toMatchObject({ state: 'ACCEPTED', response: 'unlocked' });
    expect(call.state).toBe('ACCEPTED');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ caller: phone.uid, id: call.id, content: 'unlock 4711', channel: 'garage' });
    expect(byPeer).toEqual([call]);
    // answering a call that is over is a conflict
    const e = await received[0].refuse('too late').catch((x) => x);
    expect(e).toBeInstanceOf(ConflictError);
  });

  it('refuse, and cancel before an answer', async () => {
    const phone = client(uniqueUid('phone'));
    const car = client(uniqueUid('car'));
    const canceled: RemoteInvitation[] = [];
    let answer: 'refuse' | 'wait' = 'refuse';
    car.on('remoteInvitationReceived', (inv) => {
      if (answer === 'refuse') void inv.refuse('wrong PIN');
    });
    car.on('remoteInvitationCanceled', (inv) => canceled.push(inv));
    await phone.login();
    await car.login();
    const refused = await phone.calls.invite(car.uid, { content: '0000' }).outcome;
    expect(refused).toMatchObject({ state: 'REFUSED', response: 'wrong PIN' });

    answer = 'wait';
    const call = phone.calls.invite(car.uid);
    await until(() => call.state === 'RECEIVED', 'the callee has it');
    await call.cancel();
    expect((await call.outcome).state).toBe('CANCELED');
    await until(() => canceled.length === 1, 'the callee is told');
    expect(canceled[0].id).toBe(call.id);
  });

  it('a callee that is offline: the invite is CACHED and the call fails PEER_OFFLINE when the server gives up (not waited for here: cancel)', async () => {
    const phone = client(uniqueUid('phone'));
    await phone.login();
    const call = phone.calls.invite(uniqueUid('sleeping'));
    expect(await call.sent).toBe('CACHED');
    await call.cancel();
    expect((await call.outcome).state).toBe('CANCELED');
  });

  it('logout fails the open invitations with SESSION_ENDED', async () => {
    const phone = client(uniqueUid('phone'));
    await phone.login();
    const call = phone.calls.invite(uniqueUid('sleeping'));
    await call.sent;
    await phone.logout();
    expect(await call.outcome).toMatchObject({ state: 'FAILED', failureReason: 'SESSION_ENDED' });
  });
});
