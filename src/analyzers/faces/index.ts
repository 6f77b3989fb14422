import { defineAnalyzer } from '../analyzer.js';
import { facesSchema } from './config.js';
import { FaceAnalyzer } from './faces.js';

const similarityOf = (e: { attributes?: Record<string, unknown> }) => (typeof e.attributes?.similarity === 'number' ? e.attributes.similarity : null);

/** The frame's faces, named from the registry; one event per visit. */
export const facesAnalyzer = defineAnalyzer({
  name: 'faces',
  config: facesSchema,
  needs: ['objects', 'faces'],
  kinds: [
    {
      kind: 'face',
      colour: '#1e90ff',
      zoneLabel: 'person',
      alerts: [
        { name: 'known_face', icon: '🙂', matches: (e) => !!e.sub_label, headline: (ev) => (ev.length === 1 ? (ev[0].sub_label ?? 'Known face') : `${ev.length} known faces`) },
        { name: 'unknown_face', icon: '❔', enrol: true, headline: (ev) => (ev.length === 1 ? 'Unknown face' : `${ev.length} unknown faces`) },
      ],
      entities: [
        { platform: 'binary_sensor', key: 'known_face', name: 'Known face', fields: { device_class: 'occupancy', icon: 'mdi:account-check' }, on: (e) => e.sub_label !== null },
        {
          platform: 'binary_sensor',
          key: 'unknown_face',
          name: 'Unknown face',
          fields: { device_class: 'occupancy', icon: 'mdi:account-question' },
          on: (e) => e.sub_label === null,
        },
        {
          platform: 'sensor',
          key: 'last_face',
          name: 'Last face',
          fields: { icon: 'mdi:face-recognition' },
          names: true,
          last: (e) =>
            e.sub_label
              ? { state: e.sub_label, attributes: { similarity: similarityOf(e), time: new Date((e.end_time ?? e.start_time) * 1000).toISOString(), event_id: e.id } }
              : null,
        },
        // Fires when a face event gets a name, and again if the name changes.
        {
          platform: 'event',
          key: 'face_recognized',
          name: 'Face recognised',
          eventType: 'face_recognized',
          fields: { icon: 'mdi:face-recognition' },
          fireOn: (e) => e.sub_label,
          extra: (e) => ({ similarity: similarityOf(e) }),
        },
      ],
    },
  ],
  create: ({ config, models, matchFace }) => {
    const faces = new FaceAnalyzer(models, matchFace, config);
    return {
      analyze: async (frame) => faces.analyzeFound(frame.img, faces.rate(frame.img, await frame.faces()), frame.time),
    };
  },
});
