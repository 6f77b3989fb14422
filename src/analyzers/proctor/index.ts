import { defineAnalyzer } from '../analyzer.js';
import { ProctorCamera } from './camera.js';
import { proctorCameraShape, proctorSchema, type ProctorCameraConfig, type ProctorConfig } from './config.js';
import { type ProctorShared, proctorParts } from './parts.js';
import { PHONE_LABEL } from './observe.js';

/** How a caption names each cue. */
const CUE_TEXT: Record<string, string> = {
  absent: 'absent',
  left_seat: 'left the seat',
  extra_person: 'another person',
  phone: 'phone',
  looking_away: 'looking away',
  looking_down: 'looking down',
  not_candidate: 'not the candidate',
  suspicious: 'suspicious posture',
};
const cueText = (label: string) => CUE_TEXT[label] ?? label;

/**
 * Exam proctoring, seat by seat (docs/proctoring.md): inside a session, each seat's cues
 * (absent, another person, phone, head turned or bowed, someone else's face, the k-NN on its
 * silhouette) become incidents. Off on every camera until the camera turns it on.
 */
export const proctorAnalyzer = defineAnalyzer<'proctor', ProctorConfig, ProctorCameraConfig>({
  name: 'proctor',
  config: proctorSchema,
  cameraConfig: proctorCameraShape,
  enabledByDefault: false,
  needs: ['objects'],
  objectLabels: () => [PHONE_LABEL],
  kinds: [
    {
      kind: 'suspicious',
      colour: '#ff851b',
      // a seat's box is where its person sits
      zoneLabel: 'person',
      alerts: [
        {
          name: 'proctor',
          icon: '📝',
          // An invigilator acts on each incident: 10 s, not the household's minute (a second
          // incident waited out telegram.cooldown, 60 s, behind the first).
          cooldown: 10,
          headline: (ev) => {
            const said =
              ev.length === 1
                ? `Seat ${ev[0].sub_label}: ${cueText(ev[0].label)}`
                : `${ev.length} incidents (${[...new Set(ev.map((e) => `${e.sub_label}: ${cueText(e.label)}`))].join(', ')})`;
            // which exam, when the session was given a name
            const names = [...new Set(ev.map((e) => e.attributes?.session_name).filter((n): n is string => typeof n === 'string' && n !== ''))];
            return names.length ? `${names.join(', ')} · ${said}` : said;
          },
          // the sub_label is the seat, not a person: name the seats' candidates, where they have one
          who: (ev) => {
            const candidates = [...new Set(ev.map((e) => e.attributes?.candidate).filter((c): c is string => typeof c === 'string'))];
            return candidates.length ? `candidate ${candidates.join(', ')}` : null;
          },
        },
      ],
      entities: [
        { platform: 'binary_sensor', key: 'suspicious', name: 'Suspicious activity', fields: { device_class: 'problem' }, on: () => true },
        // Once per incident (an event is one cue on one seat); the cue is the HA event type's value.
        {
          platform: 'event',
          key: 'proctor_incident',
          name: 'Proctoring incident',
          eventType: 'proctor_incident',
          fields: { icon: 'mdi:clipboard-alert' },
          fireOn: (e) => e.label,
          extra: (e) => ({ seat: e.sub_label, cue: e.label }),
        },
        // Starts and ends the camera's exam session; its control is proctorParts' `switches.exam_session`.
        { platform: 'switch', key: 'exam_session', name: 'Exam session', fields: { icon: 'mdi:school' } },
      ],
    },
  ],
  parts: proctorParts,
  create: ({ camera, config, cameraConfig, models, matchFace, shared }) => {
    // Without parts (the `argus proctor` command) there are no sessions and no training.
    const { sessions, training } = (shared as ProctorShared | undefined) ?? {};
    const classifier = training ? () => training.classifier(camera) : undefined;
    const proctor = new ProctorCamera({ camera, config, seats: cameraConfig.seats, models, matchFace, sessions, classifier });
    // captures for training read this camera's seats and backgrounds
    training?.attach(camera, proctor);
    return proctor;
  },
});
