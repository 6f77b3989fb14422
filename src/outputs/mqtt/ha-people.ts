import type { EventMessage } from '../../events/event.js';
import type { SnapshotUrl } from '../../server/snapshot-links.js';
import type { MqttConnection } from './connection.js';
import type { HaStore, Sighting } from './ha-store.js';
import { personTopics } from './ha-topics.js';
import type { PersonSubject } from './people-discovery.js';

export const AWAY = 'away';

export interface HaPeopleOptions {
  mqtt: MqttConnection;
  store: HaStore;
  /** The enrolled people now (FaceRegistry.list()). */
  people: () => PersonSubject[];
  /** Seconds after the last sighting (with no event naming them still open) before the state is `away`. */
  awayAfterSeconds: number;
  snapshotUrl?: SnapshotUrl;
  /** Milliseconds since the epoch; tests move it by hand. */
  clock?: () => number;
  /** How often quiet people are checked for `away`. */
  tickMs?: number;
}

/**
 * Each enrolled person's sensor: the camera they were last seen on (from events that carry
 * their name as sub label), or `away` once nothing has named them for `away_after` seconds.
 * The last sighting lives in SQLite, so a restart shows the same state; states are retained.
 */
export class HaPeople {
  private known: PersonSubject[] = [];
  /** Open events naming each person: while one is open they are here, however long it lasts. */
  private readonly open = new Map<number, Set<string>>();
  private readonly sightings = new Map<number, Sighting>();
  private readonly sent = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private readonly clock: () => number;

  constructor(private readonly opts: HaPeopleOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  start(): void {
    for (const s of this.opts.store.sightings()) this.sightings.set(s.personId, s);
    this.sync();
    this.timer = setInterval(() => this.publishAll(false), this.opts.tickMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The registry changed: new people get a sensor, the removed lose theirs (retained state cleared). */
  sync(): void {
    const { store, mqtt } = this.opts;
    this.known = this.opts.people();
    const ids = new Set(this.known.map((p) => p.id));
    const gone = new Set([...this.sightings.keys(), ...this.open.keys(), ...[...this.sent.keys()].map((k) => Number(k.split('/')[1]))]);
    for (const id of gone) {
      if (ids.has(id)) continue;
      this.sightings.delete(id);
      this.open.delete(id);
      store.forgetSighting(id);
      const t = personTopics(id);
      for (const topic of [t.state, t.attributes]) {
        if (!this.sent.delete(topic)) continue;
        mqtt.publish(topic, '', { retain: true, qos: 1 });
      }
    }
    this.publishAll(false);
  }

  handleEvent(msg: EventMessage): void {
    const ev = msg.event;
    const person = ev.sub_label ? this.known.find((p) => p.name === ev.sub_label) : undefined;
    // An event that changed its name no longer keeps the previous person here.
    for (const [id, events] of this.open) if (id !== person?.id) events.delete(ev.id);
    if (!person) return;
    const events = this.open.get(person.id) ?? new Set<string>();
    if (msg.type === 'end') events.delete(ev.id);
    else events.add(ev.id);
    this.open.set(person.id, events);
    if (msg.type === 'end') {
      // A visit ending is no sighting: they may be on another camera by now (the sensor went back to
      // one they had left). It does say when this visit last saw them.
      const last = this.sightings.get(person.id);
      if (last?.eventId === ev.id && ev.end_time !== null && ev.end_time > last.time) {
        last.time = ev.end_time;
        this.opts.store.saveSighting(last);
      }
      this.publish(person, false);
      return;
    }
    const similarity = typeof ev.attributes?.similarity === 'number' ? ev.attributes.similarity : null;
    const sighting: Sighting = { personId: person.id, camera: ev.camera, time: this.clock() / 1000, similarity, eventId: ev.id, snapshot: ev.snapshot };
    this.sightings.set(person.id, sighting);
    this.opts.store.saveSighting(sighting);
    this.publish(person, false);
  }

  /** Every person's state; `force` re-sends unchanged ones (HA came back online). */
  publishAll(force = true): void {
    for (const p of this.known) this.publish(p, force);
  }

  private stateOf(id: number): string {
    const s = this.sightings.get(id);
    if (!s) return AWAY;
    const quiet = this.clock() / 1000 - s.time;
    return (this.open.get(id)?.size ?? 0) > 0 || quiet < this.opts.awayAfterSeconds ? s.camera : AWAY;
  }

  private publish(p: PersonSubject, force: boolean): void {
    const t = personTopics(p.id);
    const s = this.sightings.get(p.id);
    // The id the household gave them (a Home Assistant person entity), sighting or not.
    const external = { external_id: p.externalId ?? null };
    const attributes = s
      ? {
          ...external,
          camera: s.camera,
          time: new Date(s.time * 1000).toISOString(),
          similarity: s.similarity,
          event_id: s.eventId,
          snapshot_url: this.opts.snapshotUrl ? this.opts.snapshotUrl({ id: s.eventId, snapshot: s.snapshot }) : s.snapshot,
        }
      : external;
    // Attributes first, so an automation triggered by the state reads the matching ones.
    this.retained(t.attributes, JSON.stringify(attributes), force, ['snapshot_url']);
    this.retained(t.state, this.stateOf(p.id), force);
  }

  /** Sends a retained payload when it changed; `ignore` names attributes (a fresh signature) that alone are no change. */
  private retained(topic: string, payload: string, force: boolean, ignore: string[] = []): void {
    const key = ignore.length ? JSON.stringify(JSON.parse(payload, (k, v: unknown) => (ignore.includes(k) ? undefined : v))) : payload;
    if (!force && this.sent.get(topic) === key) return;
    this.sent.set(topic, key);
    this.opts.mqtt.publish(topic, payload, { retain: true, qos: 1 });
  }
}
