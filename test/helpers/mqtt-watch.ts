import mqtt, { type MqttClient } from 'mqtt';

/** Subscribes to a broker and lets a test wait for a topic to carry a given payload. */
export class MqttWatch {
  readonly messages: Array<{ topic: string; payload: string; retain: boolean }> = [];
  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => this.messages.push({ topic, payload: payload.toString(), retain: packet.retain }));
  }

  static async open(url: string, filter = '#'): Promise<MqttWatch> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
    const watch = new MqttWatch(client);
    await client.subscribeAsync(filter, { qos: 1 });
    return watch;
  }

  last(topic: string): string | undefined {
    return this.messages.filter((m) => m.topic === topic).at(-1)?.payload;
  }

  async waitFor(topic: string, payload: string, timeoutMs = 15_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.last(topic) === payload) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${topic} did not become "${payload}" within ${timeoutMs} ms (last: ${this.last(topic)})`);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
