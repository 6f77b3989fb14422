import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../../log.js';
import { redactUrl } from '../../config/redact.js';
import { MAX_HELD_BYTES, OfflineQueue } from './offline-queue.js';

export interface MqttConnectionOptions {
  url: string;
  user?: string;
  password?: string;
  /** Every Argus topic lives under it: `<base>/available`, `<base>/<camera>/…`. */
  baseTopic: string;
  logger: Logger;
  clientId?: string;
  /** Milliseconds between reconnect attempts (the mqtt library retries forever). */
  reconnectMs?: number;
  /**
   * Whether it says `<base>/available` (a retained online, and offline as its last will); false
   * for a link that only listens on someone else's broker (Frigate's), where nothing reads it.
   */
  availability?: boolean;
  /**
   * Say `online` only once `online()` is called, and after each reconnect's hooks: until its
   * states are reset, a restarted Argus would show HA the crashed run's retained ones (a person
   * sensor ON) as current, and automations watching for "on" fired.
   */
  onlineWhenReady?: boolean;
}

type Handler = (topic: string, payload: Buffer) => void;
/** `reconnect`: false on the link's first connect, true on every later one. */
type ConnectHook = (info: { reconnect: boolean }) => void;
type PublishOptions = { retain?: boolean; qos?: 0 | 1 };

/**
 * The MQTT link: a retained last-will marks Argus `offline` if the process dies; `online` is
 * published on every (re)connect (after `online()` with `onlineWhenReady`). A broker that is down is retried, never fatal.
 */
export class MqttConnection {
  private client?: MqttClient;
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly connectHooks = new Set<ConnectHook>();
  private connects = 0;
  /** The outage's last logged error: while the broker stays down, the same error is not logged again every reconnect. */
  private outage: { error?: string } | null = null;
  /** What is published while the broker is away, bounded (mqtt.js' own queue is not). */
  private readonly offline = new OfflineQueue();
  readonly availabilityTopic: string;
  /** Whether `online` may be said (see `onlineWhenReady`). */
  private ready: boolean;

  constructor(private readonly opts: MqttConnectionOptions) {
    this.availabilityTopic = this.topic('available');
    this.ready = !opts.onlineWhenReady;
  }

  /** Argus' states are in place: say `online` now, and after every reconnect. */
  online(): void {
    if (this.ready) return;
    this.ready = true;
    if (this.says) this.publish('available', 'online', { retain: true, qos: 1 });
  }

  private get says(): boolean {
    return this.opts.availability ?? true;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  start(): void {
    const { logger } = this.opts;
    const options: IClientOptions = {
      clientId: this.opts.clientId ?? `argus_${Math.random().toString(16).slice(2, 10)}`,
      username: this.opts.user,
      password: this.opts.password,
      reconnectPeriod: this.opts.reconnectMs ?? 5000,
      connectTimeout: 10_000,
      // A refused login is retried too: the broker's password file or its auth backend may be fixed (or started) later.
      reconnectOnConnackError: true,
      ...(this.says ? { will: { topic: this.availabilityTopic, payload: Buffer.from('offline'), retain: true, qos: 1 as const } } : {}),
    };
    const retryS = (options.reconnectPeriod ?? 0) / 1000;
    const client = mqtt.connect(this.opts.url, options);
    this.client = client;
    const where = redactUrl(this.opts.url);
    client.on('connect', () => {
      this.outage = null;
      logger.info(`MQTT connected to ${where}`);
      // A listening link clears what versions before 2026-12-07 left retained there.
      if (!this.says) client.publish(this.availabilityTopic, '', { retain: true, qos: 1 });
      for (const topic of this.handlers.keys()) client.subscribe(topic, { qos: 1 });
      const dropped = this.offline.dropped;
      if (dropped > 0)
        logger.warn(
          `MQTT: the broker was away long enough that ${dropped} older message(s) were dropped (the newest ${MAX_HELD_BYTES / 1024 / 1024} MB were kept); states are sent again now`,
        );
      for (const m of this.offline.take()) this.send(client, m.topic, m.payload, { retain: m.retain, qos: m.qos }, m.done);
      const reconnect = this.connects++ > 0;
      for (const hook of this.connectHooks) {
        try {
          hook({ reconnect });
        } catch (err) {
          logger.error(`MQTT connect hook failed: ${(err as Error).message}`);
        }
      }
      // Last: after what the hooks sent again (states a broker without persistence forgot).
      if (this.says && this.ready) client.publish(this.availabilityTopic, 'online', { retain: true, qos: 1 });
    });
    client.on('reconnect', () => logger.debug(`MQTT reconnecting to ${where}`));
    client.on('offline', () => {
      if (this.outage) return;
      this.outage = {};
      logger.warn(`MQTT broker ${where} unreachable; retrying every ${retryS} s`);
    });
    client.on('error', (err) => {
      const error = describeMqttError(err);
      // One outage, one line: its cause after "unreachable" (a reset, then refusals) is the same outage.
      // A refused login is said even then: that one needs the user to act.
      const said = this.outage !== null && (this.outage.error === error || !/user name or password/.test(error));
      this.outage = { error };
      if (said) logger.debug(`MQTT: ${error} (still)`);
      else logger.error(`MQTT: ${error}; retrying every ${retryS} s`);
    });
    client.on('message', (topic, payload) => {
      for (const [filter, set] of this.handlers) if (topicMatches(filter, topic)) for (const h of set) h(topic, payload);
    });
  }

  /**
   * Runs `hook` after every connect, before `online` is sent. A restarted broker without persistence
   * has forgotten every retained message, so whoever owns retained topics re-publishes them here.
   * Returns a function that removes the hook.
   */
  onConnect(hook: ConnectHook): () => void {
    this.connectHooks.add(hook);
    return () => void this.connectHooks.delete(hook);
  }

  /** `mqtt.base_topic`. */
  get baseTopic(): string {
    return this.opts.baseTopic;
  }

  /** The full name of an Argus topic: `<base>/<path>`. Every Argus topic is made here. */
  topic(path: string): string {
    return `${this.opts.baseTopic}/${path}`;
  }

  /**
   * Publishes under the base topic (`camera/motion` → `argus/camera/motion`); held while disconnected
   * and sent on reconnect, a retained topic's newest message only, the rest up to a bound (OfflineQueue).
   */
  publish(path: string, payload: string | Buffer, opts: PublishOptions = {}, done?: () => void): void {
    this.publishExternal(this.topic(path), payload, opts, done);
  }

  /** Publishes to a topic outside Argus' tree (Home Assistant's discovery). `done`: the broker has it (QoS 1: acknowledged), for the stats' latency. */
  publishExternal(topic: string, payload: string | Buffer, opts: PublishOptions = {}, done?: () => void): void {
    const client = this.client;
    if (!client) return;
    if (client.connected) this.send(client, topic, payload, opts, done);
    else this.offline.hold({ topic, payload, retain: opts.retain ?? false, qos: opts.qos ?? 0, done });
  }

  private send(client: MqttClient, topic: string, payload: string | Buffer, opts: PublishOptions, done?: () => void): void {
    client.publish(topic, payload, { retain: opts.retain ?? false, qos: opts.qos ?? 0 }, done && ((err) => void (err ? undefined : done())));
  }

  /** Subscribes under the base topic; the handler gets the full topic. Returns a function that removes the handler. */
  subscribe(path: string, handler: Handler): () => void {
    return this.subscribeExternal(this.topic(path), handler);
  }

  /** Subscribes to a topic outside Argus' tree (`homeassistant/status`, `frigate/events`). */
  subscribeExternal(filter: string, handler: Handler): () => void {
    let set = this.handlers.get(filter);
    if (!set) {
      set = new Set();
      this.handlers.set(filter, set);
      if (this.client?.connected) this.client.subscribe(filter, { qos: 1 });
    }
    set.add(handler);
    return () => {
      set!.delete(handler);
      if (set!.size === 0) {
        this.handlers.delete(filter);
        this.client?.unsubscribe(filter);
      }
    };
  }

  /** A clean stop: say `offline` ourselves (the will only fires on an unclean end). */
  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    if (client.connected && this.says) {
      await new Promise<void>((resolve) => client.publish(this.availabilityTopic, 'offline', { retain: true, qos: 1 }, () => resolve()));
    }
    await client.endAsync();
  }
}

function describeMqttError(err: Error & { code?: string | number }): string {
  if (err.code === 'ECONNREFUSED') return `connection refused (${err.message.replace('connect ECONNREFUSED ', '')}): is the broker running?`;
  if (err.code === 4 || err.code === 5 || /Not authorized|Bad username/i.test(err.message)) return 'the broker refused the user name or password';
  if (err.code === 'ENOTFOUND') return 'broker host not found';
  return err.message;
}

/** MQTT wildcard match: `+` one level, `#` the rest. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}
