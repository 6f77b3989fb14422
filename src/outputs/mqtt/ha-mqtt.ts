import type { EventBus } from '../../bus.js';
import type { EventKinds } from '../../analyzers/kinds.js';
import type { Logger } from '../../log.js';
import type { Db } from '../../store/database.js';
import type { MqttConnection } from './connection.js';
import { HaDiscovery } from './discovery.js';
import { HaPauseSwitch } from './ha-pause-switch.js';
import { HaStatePublisher, type LoadSnapshot } from './ha-states.js';
import { HaStore } from './ha-store.js';
import { haStatusTopic } from './ha-topics.js';

export interface HomeAssistantMqttOptions {
  mqtt: MqttConnection;
  bus: EventBus;
  db: Db;
  cameras: string[];
  /** The analyzers' event kinds, whose entities each camera gets. */
  kinds: EventKinds;
  discoveryPrefix: string;
  version: string;
  logger: Logger;
  onPause: (camera: string, paused: boolean) => void;
  loadSnapshot: LoadSnapshot;
  /** Base URL of the Argus API as HA reaches it, for absolute snapshot URLs in event entities. */
  publicUrl?: string;
}

/**
 * Home Assistant over MQTT: discovery, states from the event bus, the pause switch, and a
 * re-announce whenever HA publishes `online` on `<prefix>/status` (it has restarted and may
 * have lost what it knew).
 */
export class HomeAssistantMqtt {
  private readonly discovery: HaDiscovery;
  private readonly states: HaStatePublisher;
  private readonly pause: HaPauseSwitch;
  private unsubscribe?: () => void;
  private unhookConnect?: () => void;

  constructor(private readonly opts: HomeAssistantMqttOptions) {
    const store = new HaStore(opts.db);
    this.discovery = new HaDiscovery({ ...opts, store });
    this.states = new HaStatePublisher(opts);
    this.pause = new HaPauseSwitch({ ...opts, store });
  }

  start(): void {
    const { bus, mqtt, discoveryPrefix, logger } = this.opts;
    this.discovery.announce();
    this.states.publishAll();
    this.pause.start();
    bus.on(this, 'event', (msg) => this.states.handleEvent(msg));
    bus.on(this, 'cameraStatus', (status) => this.states.handleStatus(status));
    bus.on(this, 'motion', ({ camera, moving }) => this.states.handleMotion(camera, moving));
    this.unsubscribe = mqtt.subscribeExternal(haStatusTopic(discoveryPrefix), (_topic, payload) => {
      if (payload.toString() !== 'online') return;
      logger.info('Home Assistant came online: re-sending discovery and states');
      this.discovery.announce(true);
      this.states.publishAll();
      this.pause.publishAll();
    });
    // A restarted broker may have lost every retained message, and HA's birth message may never come.
    this.unhookConnect = mqtt.onConnect(({ reconnect }) => {
      if (!reconnect) return; // the first connect sends what start() queued
      logger.info('MQTT reconnected: re-sending discovery and states');
      this.discovery.announce(true);
      this.states.publishAll();
      this.pause.publishAll();
    });
  }

  /** Runs after the cameras stopped and before MQTT closes: HA sees each camera go down. */
  stop(): void {
    this.states.publishOffline();
    this.opts.bus.removeAll(this);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.unhookConnect?.();
    this.pause.stop();
  }

  isPaused(camera: string): boolean {
    return this.pause.isPaused(camera);
  }
}
