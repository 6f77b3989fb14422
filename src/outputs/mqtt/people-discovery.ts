import { component, device, origin, slug, type DeviceConfig, type DiscoveryContext } from './discovery-payload.js';
import { AVAILABLE_TOPIC, bridgeDeviceId, peopleDeviceId, personTopics } from './ha-topics.js';

/** An enrolled person as HA sees them: the registry's id (kept across renames) and name. */
export interface PersonSubject {
  id: number;
  name: string;
  /** The registry's external id (a Home Assistant `person.` entity, say), for automations to map. */
  externalId?: string | null;
}

/**
 * The "People" device: one sensor per enrolled person (like Double Take's per-name sensors)
 * whose state is the camera they were last seen on, or `away`. The unique id follows the
 * registry's id, so renaming a person renames the entity instead of replacing it.
 */
export function peopleConfig(ctx: DiscoveryContext, people: PersonSubject[]): DeviceConfig {
  const cmps = Object.fromEntries(
    people.map((p) => {
      const t = personTopics(p.id);
      const id = `${ctx.idPrefix}_person_${p.id}`;
      const c = component('sensor', id, {
        name: p.name,
        state_topic: ctx.topic(t.state),
        json_attributes_topic: ctx.topic(t.attributes),
        icon: 'mdi:account',
      });
      const s = slug(p.name);
      // A name with no Latin letters keeps the id-based entity id.
      if (s) c.default_entity_id = `sensor.${ctx.idPrefix}_${s}`;
      return [id, c];
    }),
  );
  return {
    dev: device(ctx, { identifiers: [peopleDeviceId(ctx.idPrefix)], name: 'Argus people', model: 'Face registry', via_device: bridgeDeviceId(ctx.idPrefix) }),
    o: origin(ctx),
    availability: [{ topic: ctx.topic(AVAILABLE_TOPIC) }],
    qos: 1,
    cmps,
  };
}
