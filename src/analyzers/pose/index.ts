import type { Detection } from '../../events/analyzed-frame.js';
import type { Keypoint } from '../../models/detection.js';
import { boxArea, type Box } from '../../vision/iou.js';
import { defineAnalyzer } from '../analyzer.js';
import { withBodyBoxes, type BodyBoxOptions } from '../person/body-box.js';
import type { PersonBox } from '../person/from-faces.js';
import { poseCameraShape, poseSchema, type PoseCameraConfig } from './config.js';
import { PoseAnalyzer } from './pose.js';
import type { ArgusEvent } from '../../events/event.js';

/** "hands_up ×2, lin_stance": a burst's saved poses, each with how many events it had. */
function countedLabels(events: readonly ArgusEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  return [...counts].map(([label, n]) => (n > 1 ? `${label} ×${n}` : label)).join(', ');
}

/** Poses of the surest people: presence, saved reference poses, falls. */
export const poseAnalyzer = defineAnalyzer<'pose', ReturnType<typeof poseSchema.parse>, PoseCameraConfig>({
  name: 'pose',
  config: poseSchema,
  cameraConfig: poseCameraShape,
  needs: ['objects', 'pose'],
  kinds: [
    {
      kind: 'pose',
      colour: '#ffdc00',
      zoneLabel: 'person',
      alerts: [
        // Falls alone, for a chat that wants them and not every presence; urgent: a fall at night is when it matters.
        { name: 'fall', icon: '🆘', within: 'pose', urgent: true, matches: (e) => e.label === 'fall', headline: (ev) => (ev.length === 1 ? 'Fall' : `${ev.length} falls`) },
        {
          name: 'pose',
          icon: '🤸',
          headline: (ev) => (ev.length === 1 ? `Pose: ${ev[0].label}` : `${ev.length} poses (${countedLabels(ev)})`),
          // One body may raise several pose events in a burst (one saved pose, then another): counting the
          // events as people said "5 unknown people" of two. The names alone, when faces gave some.
          who: (ev) => [...new Set(ev.map((e) => e.sub_label).filter((n): n is string => !!n))].join(', ') || null,
        },
      ],
      entities: [
        // ON while someone lies fallen (docs/analyzers.md: the fall rule); presence alone is the person sensor's.
        { platform: 'binary_sensor', key: 'fall', name: 'Fall', fields: { device_class: 'safety', icon: 'mdi:human-handsdown' }, on: (e) => e.label === 'fall' },
        // Once per event of a saved pose or a fall, its name the event's `label`.
        {
          platform: 'event',
          key: 'pose_detected',
          name: 'Pose detected',
          eventType: 'pose_detected',
          fields: { icon: 'mdi:human' },
          fireOn: (e) => (e.label === 'person' ? null : e.label),
          extra: (e) => ({ similarity: typeof e.attributes?.similarity === 'number' ? e.attributes.similarity : null }),
        },
      ],
    },
  ],
  create: ({ config, cameraConfig, models, references, camera, logger }) => {
    const wanted = new Set(cameraConfig.poses);
    // a typo here matched nothing, unsaid: said once at start (a pose may still be saved later)
    const saved = new Set(references().map((r) => r.name));
    const unknown = [...wanted].filter((n) => !saved.has(n));
    if (unknown.length)
      logger.warn(
        `cameras.${camera}.analyzers.pose.poses: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not saved (saved: ${[...saved].join(', ') || 'none'}); this camera matches only saved poses it names`,
      );
    const poses = new PoseAnalyzer(models, config, () => references().filter((r) => wanted.size === 0 || wanted.has(r.name)), cameraConfig.fall);
    return {
      analyze: async (frame) => {
        const persons = (await frame.persons()).slice(0, config.max_people);
        const found = await poses.analyze(
          frame.img,
          persons.map((p) => p.box),
          frame.time,
        );
        giveBodyBoxes(persons, found, frame.earlier, { minScore: config.min_keypoint_score, width: frame.img.width, height: frame.img.height });
        return foldPresenceIntoPersons(found, frame.earlier);
      },
      reset: () => poses.reset(),
    };
  },
});

/**
 * A person a face gave (its box extrapolated from the face) whose body a pose found takes the
 * body's box: the person detection of this frame with that person's box is given it, before the
 * skeletons are folded in and the required zones are checked.
 */
function giveBodyBoxes(persons: readonly PersonBox[], poses: readonly Detection[], earlier: readonly Detection[], opts: BodyBoxOptions): void {
  const bodies = withBodyBoxes(
    persons,
    poses.map((p) => ({ keypoints: keypointsOf(p) })),
    opts,
  );
  for (const [i, person] of persons.entries()) {
    if (bodies[i] === person) continue;
    const detection = earlier.find((d) => d.kind === 'person' && d.box.every((v, j) => v === person.box[j]));
    if (detection) detection.box = bodies[i].box;
  }
}

/** The skeleton PoseAnalyzer put in a pose detection's attributes. */
function keypointsOf(pose: Detection): readonly Keypoint[] {
  const keypoints = pose.attributes?.keypoints;
  return Array.isArray(keypoints) ? keypoints : [];
}

/**
 * A pose that only says "someone is there" would duplicate the person event: its skeleton goes
 * onto the best-overlapping person detection of this frame (drawn on the snapshot) instead.
 * Named poses and falls, and presence where no person event was raised, stay events of their own.
 */
function foldPresenceIntoPersons(poses: Detection[], earlier: readonly Detection[]): Detection[] {
  const persons = earlier.filter((d) => d.kind === 'person');
  return poses.filter((pose) => {
    if (pose.label !== 'person') return true;
    // A skeleton's box hugs the keypoints, so it lies inside its person's box: compare by containment.
    let best: Detection | undefined;
    let bestInside = 0.6;
    for (const p of persons) {
      const inside = insideShare(pose.box, p.box);
      if (inside > bestInside) [best, bestInside] = [p, inside];
    }
    if (!best) return true;
    best.attributes = { ...best.attributes, keypoints: pose.attributes?.keypoints };
    return false;
  });
}

/** The share of box `a`'s area that lies inside box `b`. */
function insideShare(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  const area = boxArea(a);
  return w > 0 && h > 0 && area > 0 ? (w * h) / area : 0;
}
