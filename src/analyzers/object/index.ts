import type { ArgusEvent } from '../../events/event.js';
import { defineAnalyzer, type EntitySpec } from '../analyzer.js';
import { objectSchema } from './config.js';
import { ObjectWatch } from './objects.js';

const labelsOf = (events: readonly ArgusEvent[]) => [...new Set(events.map((e) => e.label))].join(', ');

/**
 * Per watched label, as Frigate's per-object sensors: `<Label> occupancy` and `<Label> count`, so an
 * automation waits for the dog, not for "some object". Keys `object_<label>_occupancy` and
 * `…_count` (topic- and id-safe; a label with no ASCII letter or digit gets its place in the list).
 */
export function labelEntities(labels: readonly string[]): EntitySpec[] {
  const seen = new Set<string>();
  return labels.flatMap((label, i) => {
    const key =
      label
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '_')
        .replace(/^_+|_+$/g, '') || `label${i + 1}`;
    if (seen.has(key)) return [];
    seen.add(key);
    const title = label.charAt(0).toUpperCase() + label.slice(1);
    const is = (e: ArgusEvent) => e.label === label;
    return [
      { platform: 'binary_sensor', key: `object_${key}_occupancy`, name: `${title} occupancy`, fields: { device_class: 'occupancy', icon: 'mdi:shape' }, on: is },
      { platform: 'sensor', key: `object_${key}_count`, name: `${title} count`, fields: { state_class: 'measurement', icon: 'mdi:shape' }, counts: is },
    ] satisfies EntitySpec[];
  });
}

/**
 * Objects a household chose to watch: the classes it trained (`argus train objects`, merged
 * through `models.objects.heads`) or the detector's own COCO ones, as `object` events whose
 * label is the class. Runs only where `analyzers.object.labels` names something.
 */
export const objectAnalyzer = defineAnalyzer({
  name: 'object',
  config: objectSchema,
  idle: (config) => (config.labels.length === 0 ? 'no labels to watch: list them in analyzers.object.labels' : null),
  needs: ['objects'],
  essential: true,
  objectLabels: (config) => config.labels,
  kinds: [
    {
      kind: 'object',
      colour: '#ff851b',
      alerts: [
        {
          name: 'object',
          icon: '📦',
          headline: (events) => (events.length === 1 ? `Object (${events[0].label})` : `${events.length} objects (${labelsOf(events)})`),
          // a bin or a van is nobody: no Who line
          who: () => null,
        },
      ],
      entities: [
        { platform: 'binary_sensor', key: 'object', name: 'Object', fields: { device_class: 'occupancy', icon: 'mdi:shape' }, on: () => true },
        { platform: 'sensor', key: 'object_count', name: 'Object count', fields: { state_class: 'measurement', icon: 'mdi:shape' }, counts: () => true },
        {
          platform: 'sensor',
          key: 'last_object',
          name: 'Last object',
          fields: { icon: 'mdi:shape-outline' },
          // as Last face's: an ISO time and the event, to find its picture
          last: (e) => ({ state: e.label, attributes: { score: e.score, time: new Date((e.end_time ?? e.start_time) * 1000).toISOString(), event_id: e.id } }),
        },
        {
          platform: 'event',
          key: 'object_detected',
          name: 'Object detected',
          eventType: 'object_detected',
          fields: { icon: 'mdi:shape' },
          fireOn: () => 'start',
          extra: (e) => ({ label: e.label }),
        },
      ],
    },
  ],
  entitiesFor: (config) => ({ object: labelEntities(config.labels) }),
  create: ({ config }) => {
    const watch = new ObjectWatch(config);
    return {
      analyze: async (frame) => watch.analyze(await frame.objects()),
      reset: () => watch.reset(),
    };
  },
});
