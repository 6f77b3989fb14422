import type { Box } from '../../src/vision/iou.js';

type Point = [number, number];

/**
 * Where the people of the crowded fixture photos are, counted by eye (photo pixels). `heads`: every
 * person a person box must find, by the centre of their head; `faces`: the heads whose face shows
 * (eyes and nose visible), which a face box must find. `optional`: regions where people are too
 * small, cut off or hidden to require (background guests, spectators, someone cut by the frame's
 * edge): a box there is neither a miss nor a false one.
 */
export interface PeopleTruth {
  heads: Point[];
  faces: Point[];
  optional: Box[];
}

const faces = (points: Point[]): PeopleTruth => ({ heads: points, faces: points, optional: [] });

/** group-1.jpg: the 14 faces of the group, left to right. */
const GROUP_1_FACES: Point[] = [
  [165, 480],
  [358, 506],
  [482, 518],
  [616, 413],
  [672, 530],
  [852, 450],
  [855, 548],
  [1040, 372],
  [1063, 544],
  [1190, 420],
  [1183, 560],
  [1292, 508],
  [1415, 520],
  [1490, 612],
];

export const PEOPLE_TRUTH: Record<string, PeopleTruth> = {
  // 14 faces of the group (left to right), and a woman with her back turned at the bar on the right;
  // behind them five or six guests' heads (two faces about 20 px wide) and a blurred person cut by the left edge
  'people/group-1.jpg': {
    faces: GROUP_1_FACES,
    // and the woman with her back turned at the bar
    heads: [...GROUP_1_FACES, [1680, 500]],
    optional: [
      [380, 360, 1000, 500],
      [0, 280, 90, 1440],
    ],
  },
  'people/group-3.jpg': faces([
    [352, 647],
    [775, 495],
    [1266, 467],
    [1590, 435],
  ]),
  'people/group-6.jpg': faces([
    [691, 484],
    [1189, 382],
    [1583, 453],
  ]),
  // four cheerleaders; spectators sit in the dark stands behind
  'people/stock-group-2.jpg': {
    ...faces([
      [216, 294],
      [478, 400],
      [870, 170],
      [1005, 323],
    ]),
    optional: [
      [680, 540, 900, 800],
      [1030, 420, 1280, 640],
    ],
  },
  'people/ai-body.jpg': faces([[600, 114]]),
  'people/background.jpg': faces([]),
  'faces/probe/kit_with_rose.jpg': faces([
    [118, 168],
    [306, 152],
  ]),
  'faces/probe/two_people.jpg': faces([
    [311, 151],
    [864, 175],
  ]),
  // and a woman in red cut by the right edge, her head out of the frame
  'faces/probe/obama_and_biden.jpg': {
    ...faces([
      [849, 539],
      [1237, 505],
      [1716, 1148],
    ]),
    optional: [[1800, 300, 2000, 1428]],
  },
};

export interface Tally {
  /** Truth points given exactly one box. */
  found: number;
  /** Truth points no box was given. */
  missed: number;
  /** Boxes on a point that already had one. */
  duplicates: number;
  /** Boxes on no truth point and outside the optional regions. */
  false: number;
}

const inside = ([x, y]: Point, b: Box) => x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3];
const centre = (b: Box): Point => [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];

/** Face boxes against the faces: a box finds the face whose centre it holds (the nearest to its own centre). */
export function tallyFaces(boxes: readonly Box[], truth: PeopleTruth): Tally {
  return tally(boxes, truth.faces, truth.optional, (b, p) => (inside(p, b) ? Math.hypot(p[0] - centre(b)[0], p[1] - centre(b)[1]) : null), centre);
}

/**
 * Person boxes against the heads: a box finds a head in its upper 45 % (or just above it; a body cut by
 * the frame's bottom has its head low in its box), the one nearest its top centre, each head at most one box, nearest pairs first. A box left over that
 * held a head is a duplicate.
 */
export function tallyPersons(boxes: readonly Box[], truth: PeopleTruth): Tally {
  const headOf = (b: Box, p: Point) => {
    const [w, h] = [b[2] - b[0], b[3] - b[1]];
    if (p[0] < b[0] || p[0] > b[2] || p[1] < b[1] - 0.1 * h || p[1] > b[1] + 0.45 * h) return null;
    return Math.hypot(p[0] - (b[0] + b[2]) / 2, p[1] - (b[1] + 0.1 * h)) / w;
  };
  return tally(boxes, truth.heads, truth.optional, headOf, (b) => [(b[0] + b[2]) / 2, b[1] + 0.1 * (b[3] - b[1])]);
}

function tally(boxes: readonly Box[], points: readonly Point[], optional: readonly Box[], distance: (b: Box, p: Point) => number | null, anchor: (b: Box) => Point): Tally {
  const pairs: Array<{ box: number; point: number; d: number }> = [];
  for (const [i, b] of boxes.entries())
    for (const [j, p] of points.entries()) {
      const d = distance(b, p);
      if (d !== null) pairs.push({ box: i, point: j, d });
    }
  const boxTaken = new Set<number>();
  const pointTaken = new Set<number>();
  for (const p of pairs.sort((a, b) => a.d - b.d)) {
    if (boxTaken.has(p.box) || pointTaken.has(p.point)) continue;
    boxTaken.add(p.box);
    pointTaken.add(p.point);
  }
  let duplicates = 0;
  let falses = 0;
  for (const [i, b] of boxes.entries()) {
    if (boxTaken.has(i)) continue;
    if (pairs.some((p) => p.box === i)) duplicates++;
    else if (!optional.some((o) => inside(anchor(b), o))) falses++;
  }
  return { found: pointTaken.size, missed: points.length - pointTaken.size, duplicates, false: falses };
}
