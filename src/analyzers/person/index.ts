import { defineAnalyzer } from '../analyzer.js';
import { personSchema } from './config.js';

/** A person event per person box; the boxes themselves are the frame's (FrameContext.persons), shared with faces and poses. */
export const personAnalyzer = defineAnalyzer({
  name: 'person',
  config: personSchema,
  needs: ['objects'],
  kinds: [
    {
      kind: 'person',
      colour: '#2ecc40',
      alerts: [{ name: 'person', icon: '🚶', headline: (events) => (events.length === 1 ? 'Person' : `${events.length} people`) }],
      entities: [
        { platform: 'binary_sensor', key: 'person', name: 'Person', fields: { device_class: 'occupancy' }, on: () => true },
        { platform: 'sensor', key: 'person_count', name: 'Person count', fields: { state_class: 'measurement', icon: 'mdi:account-group' }, counts: () => true },
      ],
    },
  ],
  create: () => ({
    analyze: async (frame) => (await frame.persons()).map((p) => ({ kind: 'person', label: 'person', score: p.score, box: p.box })),
  }),
});
