import { describe, expect, it } from 'vitest';
import type { AnalyzerModels } from '../../../src/analyzers/analyzer.js';
import { proctorSchema } from '../../../src/analyzers/proctor/config.js';
import { joinPose, POSE_POINTS, poseVector } from '../../../src/analyzers/proctor/features.js';
import { type Classifier, SeatObserver } from '../../../src/analyzers/proctor/observe.js';
import { resolveSeats } from '../../../src/analyzers/proctor/seats.js';
import type { Detection } from '../../../src/events/analyzed-frame.js';
import type { ObjectDetection } from '../../../src/models/detection.js';
import type { RgbImage } from '../../../src/vision/image.js';

const W = 80;
const H = 60;
const blank = (): RgbImage => ({ width: W, height: H, data: new Uint8Array(W * H * 3) });
/** A white upright block on black: one silhouette whose ratios do not change between the cases below. */
function withBlock(): RgbImage {
  const img = blank();
  for (let y = 10; y < 50; y++) for (let x = 30; x < 50; x++) img.data.fill(255, (y * W + x) * 3, (y * W + x) * 3 + 3);
  return img;
}

/** A skeleton whose head is level with the hips' centre (`lean` 0), or shifted sideways by `lean` of the height. */
const skeleton = (lean: number) =>
  POSE_POINTS.map((name, i) => ({ name, x: 40 + (name.includes('left') ? 5 : name.includes('right') ? -5 : 0) + lean * (10 - i) * 3, y: 10 + i * 2, score: 0.9 }));
const person = (keypoints: ReturnType<typeof skeleton>): Detection => ({ kind: 'person', label: 'person', score: 0.9, box: [30, 10, 50, 50], keypoints });

describe('SeatObserver with a classifier trained on the ratios joined by the pose', () => {
  it('votes on the pose vector taken from the pose analyzer’s skeleton in the seat', async () => {
    const config = proctorSchema.parse({ features: 'ratios_pose' });
    let classifier: Classifier | null = null;
    const observer = new SeatObserver({ models: { has: () => false } as unknown as AnalyzerModels, matchFace: () => null, config, classifier: () => classifier });
    const [seat] = resolveSeats([], W, H);
    const persons: ObjectDetection[] = [{ label: 'person', score: 0.9, box: [30, 10, 50, 50] }];
    await observer.observe({ img: blank(), objects: [], persons: [], earlier: [] }, [seat]); // the empty seat: its background
    const ratios = observer.features(withBlock(), seat)!;
    // the same silhouette in both classes: only the pose tells them apart
    classifier = {
      k: 3,
      samples: [0, 0.01, 0.02, 0.3, 0.31, 0.32].map((lean) => ({ features: joinPose(ratios, poseVector(skeleton(lean))), label: lean < 0.1 ? 'normal' : 'suspicious' })),
    };
    const verdict = async (lean: number | null) =>
      (await observer.observe({ img: withBlock(), objects: persons, persons, earlier: lean === null ? [] : [person(skeleton(lean))] }, [seat])).get('seat')?.knn;
    expect(await verdict(0.005)).toEqual({ label: 'normal', score: 1 });
    expect(await verdict(0.29)).toEqual({ label: 'suspicious', score: 1 });
    // no skeleton and no pose model: the pose part is zeros, nearer the upright skeletons
    expect((await verdict(null))?.label).toBe('normal');
  });
});

describe('SeatObserver on a seat with no person box', () => {
  it('takes a clear face there as someone in the seat (a candidate half hidden by the desk), named, and keeps the background', async () => {
    const config = proctorSchema.parse({});
    let faces: Array<{ score: number; box: [number, number, number, number]; landmarks: Array<[number, number]> }> = [];
    const models = {
      has: (f: string) => f === 'faces',
      detectFaces: async () => faces,
      embedFace: async () => new Float32Array(4),
    } as unknown as AnalyzerModels;
    const observer = new SeatObserver({ models, matchFace: () => ({ name: 'obama', similarity: 0.8 }) as never, config, classifier: () => null });
    const [seat] = resolveSeats(
      [
        {
          name: 'A2',
          coordinates: [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 1],
          ],
          candidate: 'obama',
        },
      ],
      W,
      H,
    );
    const look = async () => (await observer.observe({ img: blank(), objects: [], persons: [], earlier: [] }, [seat])).get('A2')!;
    expect((await look()).faces).toEqual([]); // empty: its background is taken
    faces = [
      {
        score: 0.95,
        box: [20, 10, 45, 35],
        landmarks: [
          [28, 20],
          [38, 20],
          [33, 26],
          [33, 30],
          [24, 22],
          [42, 22],
        ],
      },
    ];
    const taken = await look();
    expect(taken).toMatchObject({ persons: [], faces: [0.95], identity: 'obama' });
    expect(taken.head).not.toBeNull();
  });
});
