/**
 * An event snapshot (the annotated frame and the clean crop, SnapshotRenderer) against its floor:
 * the same frame encoded as JPEG with nothing drawn, in alternating blocks. Also the CPU time of
 * one snapshot, which on a busy two-core machine is what its latency grows with.
 * `npx tsx test/bench/snapshot.ts` (also the end of `npm run bench`).
 */
import sharp from 'sharp';
import { EventKinds } from '../../src/analyzers/kinds.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import type { Detection } from '../../src/events/analyzed-frame.js';
import { SnapshotRenderer } from '../../src/events/snapshot-renderer.js';
import { median, timePaired } from './timing.js';

const W = 640;
const H = 360;
const PHOTO = new URL('../../../shared/fixtures/people/group-1.jpg', import.meta.url).pathname;
const data = await sharp(PHOTO).resize(W, H, { fit: 'cover' }).removeAlpha().raw().toBuffer();
const frame = { width: W, height: H, data };

const NAMES = ['nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear', 'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow'];
const MORE = ['left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle'];
// Three people with skeletons and faces, one of them named: a busy frame of the fixture clip.
const detections: Detection[] = [0, 1, 2].flatMap((k): Detection[] => [
  {
    kind: 'person',
    label: 'person',
    score: 0.81 + k / 50,
    box: [20 + k * 210, 40, 190 + k * 210, 350],
    keypoints: [...NAMES, ...MORE].map((name, i) => ({ name, x: 60 + k * 210 + (i % 2) * 70, y: 60 + i * 16, score: 0.9 })),
  },
  { kind: 'face', label: 'face', score: 0.9, box: [70 + k * 210, 50, 130 + k * 210, 115], ...(k === 1 ? { sub_label: 'alice' } : {}) },
]);

const kinds = new EventKinds(ANALYZERS);
const renderer = new SnapshotRenderer((kind) => kinds.colour(kind));
const snapshot = () => renderer.render(frame, detections, detections[0].box);
const floor = () =>
  sharp(data, { raw: { width: W, height: H, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();

const [ours, bare] = await timePaired(snapshot, floor, 60, 3, 6);
const before = process.cpuUsage();
for (let i = 0; i < 50; i++) await snapshot();
const cpu = process.cpuUsage(before);
const fmt = (n: number) => n.toFixed(1);
console.log('| what (640×360, 3 people with skeletons and faces) | median ms |');
console.log('|---|---:|');
console.log(`| snapshot: boxes, skeletons and captions drawn, JPEG, and the crop's JPEG | ${fmt(median(ours))} |`);
console.log(`| floor: the frame as JPEG, nothing drawn | ${fmt(median(bare))} |`);
console.log(`\nsnapshot ÷ floor ${(median(ours) / median(bare)).toFixed(2)}; CPU a snapshot ${fmt((cpu.user + cpu.system) / 50 / 1000)} ms`);
