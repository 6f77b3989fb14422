import type { ArgusEvent } from '../../events/event.js';
import { defineAnalyzer } from '../analyzer.js';
import { objectSchema } from './config.js';
import { ObjectWatch } from './objects.js';

const labelsOf = (events: readonly ArgusEvent[]) => [...new Set(events.map((e) => e.label))].join(', ');

/**
 * Objects a household chose to watch: the classes it trained (`argus train objects`, merged
 * through `models.objects.heads`) or the detector's own COCO ones, as `object` events whose
 * label is the class. Runs only where `analyzers.object.labels` names something.
 */
export const objectAnalyzer = defineAnalyzer({
  name: 'object',
  config: objectSchema,
  idle: (config) => config.labels.length === 0,
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
  create: ({ config }) => {
    const watch = new ObjectWatch(config);
    return {
      analyze: async (frame) => watch.analyze(await frame.objects()),
      reset: () => watch.reset(),
    };
  },
});
