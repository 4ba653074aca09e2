import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, InvalidRequestError, PayloadTooLargeError, RateLimitedError, RtmError, ServerError } from '../src/index.js';
import { refusal, rpcError } from '../src/errors.js';

// The mapping from what the server says to the error classes. The broker tests exercise most rows for real; a
// rate_limited refusal is hard to provoke on a loaded two-core machine (the send window keeps a client under 100/s),
// so its row, with the server's exact reason string, is checked here.
describe('refusals become typed errors', () => {
  it('rtm-status decides the class; the message keeps the reason, the status and the code', () => {
    const e = refusal(0x97, 'rate_limited', 'rate limit is 100 publishes per second with bursts of 100 (limits.rate-per-second, limits.rate-burst); retry in 2 s');
    expect(e).toBeInstanceOf(RateLimitedError);
    expect(e).toMatchObject({ code: 'RATE_LIMITED', reasonCode: 0x97, status: 'rate_limited', retryAfterMs: 2000 });
    expect(e.message).toBe('rate limit is 100 publishes per second with bursts of 100 (limits.rate-per-second, limits.rate-burst); retry in 2 s [rate_limited, PUBACK 0x97]');
    expect(refusal(0x97, 'too_large', 'payload is 9000 bytes')).toBeInstanceOf(PayloadTooLargeError);
  });

  it('without rtm-status the reason code decides, where it can', () => {
    expect(refusal(0x87, undefined, undefined)).toBeInstanceOf(ForbiddenError);
    expect(refusal(0x90, undefined, undefined)).toBeInstanceOf(InvalidRequestError);
    expect(refusal(0x83, undefined, undefined)).toBeInstanceOf(ConflictError);
    expect(refusal(0x80, undefined, undefined)).toBeInstanceOf(ServerError);
    const unknown = refusal(0x97, undefined, undefined); // too_large or rate_limited: cannot tell
    expect(unknown.constructor).toBe(RtmError);
    expect(unknown.code).toBe('UNKNOWN');
  });

  it('RPC error replies map the same way', () => {
    expect(rpcError('unknown_method', 'no method x')).toMatchObject({ code: 'UNKNOWN_METHOD', message: 'no method x [unknown_method]' });
    expect(rpcError('conflict', 'at revision 4')).toBeInstanceOf(ConflictError);
  });
});
