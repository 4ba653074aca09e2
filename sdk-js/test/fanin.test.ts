import { afterAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { rawClient, uniqueUid, until } from './helpers.js';

/**
 * Issue 17's defect, reproduced the way it was found: plain MQTT.js clients, no SDK. One recipient subscribes to its
 * inbox (QoS 1); 100 senders each publish 60 QoS 1 peer messages to it, each waiting for its PUBACK before the next.
 * Before the fix every PUBACK said `delivered` or `cached` and 3,577 of the 6,000 arrived (on a fresh broker; with a
 * warm one 20 each were enough to lose a quarter): the offline cache dropped
 * messages already handed to HiveMQ to make room, which let the mailbox hand HiveMQ more than its queue for the client
 * holds (1,000), and HiveMQ discarded the rest. Now every accepted message arrives, once, in each sender's order.
 */
describe('fan-in: many plain MQTT.js senders to one recipient', () => {
  const opened: MqttClient[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.endAsync().catch(() => {})));
  });

  it('every message accepted as delivered or cached arrives once, in each sender\'s order', async () => {
    const senders = 100;
    const each = 60;
    const sink = uniqueUid('sink');
    const recipient = await rawClient(sink);
    opened.push(recipient);
    const received: string[] = [];
    recipient.on('message', (_topic, payload) => received.push(payload.toString()));
    await recipient.subscribeAsync(`rtm/user/${sink}/inbox/+`, { qos: 1 });

    const clients = await Promise.all(Array.from({ length: senders }, (_, i) => rawClient(`${sink}-s${i}`)));
    opened.push(...clients);
    const statuses: Record<string, number> = {};
    await Promise.all(clients.map(async (c, s) => {
      for (let i = 0; i < each; i++) {
        const ack = await publishWithAck(c, `rtm/user/${sink}/inbox/${sink}-s${s}`, `s${s}:${i}`);
        statuses[ack] = (statuses[ack] ?? 0) + 1;
      }
    }));
    expect((statuses['delivered'] ?? 0) + (statuses['cached'] ?? 0), JSON.stringify(statuses)).toBe(senders * each);

    await until(() => received.length >= senders * each, `${senders * each} messages (have ${received.length})`, 60_000);
    expect(received.length).toBe(senders * each);
    const next = new Map<string, number>();
    for (const m of received) {
      const [s, i] = m.split(':');
      expect(Number(i), `message of ${s}`).toBe(next.get(s) ?? 0);
      next.set(s, Number(i) + 1);
    }
  }, 120_000);
});

const pubackStatus = new WeakMap<MqttClient, Map<number, string>>();

/**
 * Publishes at QoS 1 and resolves with the PUBACK's rtm-status. MQTT.js calls back with the PUBLISH packet; the PUBACK
 * (with its user properties) is seen on 'packetreceive', which MQTT.js emits before it completes the publish.
 */
function publishWithAck(c: MqttClient, topic: string, payload: string): Promise<string> {
  let acks = pubackStatus.get(c);
  if (!acks) {
    const map = new Map<number, string>();
    acks = map;
    pubackStatus.set(c, map);
    c.on('packetreceive', (p) => {
      if (p.cmd === 'puback' && p.messageId !== undefined) {
        const status = (p.properties?.userProperties as Record<string, string | string[]> | undefined)?.['rtm-status'];
        map.set(p.messageId, Array.isArray(status) ? status[0] : status ?? 'none');
      }
    });
  }
  const known = acks;
  return new Promise((resolve, reject) => {
    c.publish(topic, payload, { qos: 1 }, (error, packet) => {
      if (error) {
        reject(error);
        return;
      }
      const id = packet?.messageId;
      const status = id === undefined ? undefined : known.get(id);
      if (id !== undefined) known.delete(id);
      resolve(status ?? 'none');
    });
  });
}
