import { describe, expect, it } from 'vitest';
import { BlazeFaceDetector, blazeFaceAnchors, decodeBlazeFace, facelessPeople, gridSquares, squareAround, tilesToSearch } from '../../src/models/blazeface.js';
import type { FaceDetection } from '../../src/models/detection.js';
import type { Box } from '../../src/vision/iou.js';
import type { SessionPool } from '../../src/models/session-pool.js';
import type { TensorData } from '../../src/models/tensor-data.js';
import { rgbImage } from '../../src/vision/image.js';

describe('blazeFaceAnchors', () => {
  const anchors = blazeFaceAnchors();

  it('lays 512 stride-16 anchors then 384 stride-32 anchors, centred in their cells', () => {
    expect(anchors).toHaveLength(896);
    expect(anchors[0]).toEqual([8, 8]);
    expect(anchors[1]).toEqual([8, 8]);
    expect(anchors[2]).toEqual([24, 8]);
    expect(anchors[511]).toEqual([248, 248]);
    expect(anchors[512]).toEqual([16, 16]);
    expect(anchors[517]).toEqual([16, 16]);
    expect(anchors[518]).toEqual([48, 16]);
    expect(anchors[895]).toEqual([240, 240]);
  });
});

describe('decodeBlazeFace', () => {
  const anchors = blazeFaceAnchors();
  const logits = new Float32Array(896).fill(-10);
  const regressions = new Float32Array(896 * 16);
  // Anchor 234 sits at cell (5, 7) of the stride-16 grid: centre (88, 120).
  const put = (i: number, logit: number, values: number[]) => {
    logits[i] = logit;
    regressions.set(values, i * 16);
  };
  const landmarks = [-10, -8, 10, -8, 0, 2, 0, 12, -20, -4, 20, -4];
  put(234, 3, [2, -1, 40, 44, ...landmarks]);
  put(235, 1, [3, -1, 42, 44, ...landmarks]); // same face, less sure: suppressed
  put(600, 0.5, [0, 0, 30, 30, ...landmarks]); // a second face elsewhere

  it('turns logits into probabilities and offsets into boxes and six landmarks around the anchor', () => {
    const faces = decodeBlazeFace(logits, regressions, anchors, { minScore: 0.5, iouThreshold: 0.3 });
    expect(faces).toHaveLength(2);
    const [a, b] = faces;
    expect(a.score).toBeCloseTo(1 / (1 + Math.exp(-3)), 6);
    expect(a.box).toEqual([90 - 20, 119 - 22, 90 + 20, 119 + 22]);
    expect(a.landmarks).toHaveLength(6);
    expect(a.landmarks[0]).toEqual([78, 112]);
    expect(a.landmarks[3]).toEqual([88, 132]);
    expect(b.score).toBeCloseTo(1 / (1 + Math.exp(-0.5)), 6);
  });

  it('drops faces under the score threshold', () => {
    // sigmoid(0.5) = 0.62, sigmoid(3) = 0.95
    expect(decodeBlazeFace(logits, regressions, anchors, { minScore: 0.7, iouThreshold: 0.3 })).toHaveLength(1);
    expect(decodeBlazeFace(logits, regressions, anchors, { minScore: 0.99, iouThreshold: 0.3 })).toHaveLength(0);
  });
});

describe('gridSquares', () => {
  it('adds nothing for a single tile', () => {
    expect(gridSquares(640, 360, 1)).toEqual([]);
  });

  it('covers a 640×360 frame with two overlapping squares for a 2 × 2 grid (one row suffices)', () => {
    expect(gridSquares(640, 360, 2)).toEqual([
      [0, -20, 400, 380],
      [240, -20, 640, 380],
    ]);
  });

  it('grows the squares to a short side barely longer than them, one row instead of two almost the same', () => {
    // 3:2: squares of 800 would need two rows 53 px apart; squares of 853 need one
    expect(gridSquares(1280, 853, 2)).toEqual([
      [0, 0, 853, 853],
      [427, 0, 1280, 853],
    ]);
    // 4:3 is a fifth longer than the squares of 800: two rows stay
    expect(gridSquares(1280, 960, 2)).toHaveLength(4);
  });

  it('covers every pixel of a 4:3 photo, neighbours overlapping by at least a fifth', () => {
    const squares = gridSquares(1920, 1440, 3);
    expect(squares).toHaveLength(6);
    const side = squares[0][2] - squares[0][0];
    for (const [x, y] of [
      [0, 0],
      [1919, 1439],
      [960, 720],
      [1919, 0],
    ]) {
      expect(squares.some((s) => x >= s[0] && x <= s[2] && y >= s[1] && y <= s[3])).toBe(true);
    }
    expect(squares[1][0] - squares[0][0]).toBeLessThanOrEqual(side * 0.8);
  });
});

describe('tilesToSearch', () => {
  const left: Box = [0, 0, 853, 853];
  const right: Box = [427, 0, 1280, 853];
  const face = (box: Box): FaceDetection => ({ score: 0.9, box, landmarks: [] });

  it('searches no tile when no person was found, unless the whole frame barely saw a face there', () => {
    expect(tilesToSearch([left, right], [], [], 40)).toEqual([]);
    expect(tilesToSearch([left, right], [], [face([300, 100, 320, 120])], 40)).toEqual([left]);
    expect(tilesToSearch([left, right], [], [face([300, 100, 400, 200])], 40)).toEqual([]);
  });

  it('searches no tile when every person has a face the whole frame saw well', () => {
    expect(
      tilesToSearch(
        [left, right],
        [
          [100, 100, 300, 800],
          [1000, 100, 1200, 800],
        ],
        [face([150, 120, 250, 220]), face([1050, 120, 1150, 220])],
        40,
      ),
    ).toEqual([]);
  });

  it("searches the tiles that hold a faceless person's head, not their body", () => {
    // head square 1000–1200 × 100–300 lies in the right tile only; the legs' x range would too, the left tile never
    expect(tilesToSearch([left, right], [[1000, 100, 1200, 800]], [], 40)).toEqual([right]);
    // a head across the seam: both tiles
    expect(tilesToSearch([left, right], [[600, 100, 700, 800]], [], 40)).toEqual([left, right]);
  });

  it('searches the tile around a face the whole frame barely saw', () => {
    const people: Box[] = [[100, 100, 300, 800]];
    expect(tilesToSearch([left, right], people, [face([150, 120, 180, 150]), face([1100, 100, 1130, 130])], 40)).toEqual([left, right]);
    expect(tilesToSearch([left, right], people, [face([150, 120, 180, 150]), face([1100, 100, 1150, 150])], 40)).toEqual([left]);
  });
});

describe('BlazeFaceDetector passes', () => {
  /** A stand-in pool that counts runs and answers with empty score maps (no faces). */
  function countingPool() {
    const pool = {
      runs: 0,
      float32: (length: number) => new Float32Array(length),
      run: async (): Promise<Record<string, TensorData>> => {
        pool.runs++;
        const t = (n: number, c: number): TensorData => ({ type: 'float32', dims: [1, n, c], data: new Float32Array(n * c).fill(-10) });
        return { a: t(512, 1), b: t(384, 1), c: t(512, 16), d: t(384, 16) };
      },
    };
    return pool;
  }
  const info = { name: 'blazeface-back', inputs: [{ name: 'input', type: 'float32', shape: [1, 256, 256, 3] }], outputs: [], provider: 'cpu' };
  const frame = rgbImage(1280, 720, new Uint8Array(1280 * 720 * 3));

  it('searches the whole frame plus its tiles, or the whole frame alone when told to skip tiles', async () => {
    const pool = countingPool();
    const detector = new BlazeFaceDetector(pool as unknown as SessionPool, info, 0.5, 0.3, 2);
    expect(await detector.detect(frame)).toEqual([]);
    expect(pool.runs).toBe(1 + gridSquares(1280, 720, 2).length);
    pool.runs = 0;
    await detector.detect(frame, { tiles: false });
    expect(pool.runs).toBe(1);
  });

  it('with person boxes, searches only the tiles holding a faceless head and the faceless person up close, once the boxes come', async () => {
    const pool = countingPool();
    const detector = new BlazeFaceDetector(pool as unknown as SessionPool, info, 0.5, 0.3, 2);
    const tiles = gridSquares(1280, 720, 2);
    const people = Promise.resolve<Box[]>([[tiles[0][0] + 10, 100, tiles[0][0] + 60, 400]]);
    await detector.detect(frame, { people });
    expect(pool.runs).toBe(1 + tilesToSearch(tiles, await people, [], 1).length + 1);
    expect(pool.runs).toBeLessThan(1 + tiles.length + 1);
    pool.runs = 0;
    // nobody found (most motion: wind, light, cars) and no face: the whole frame alone
    await detector.detect(frame, { people: [] });
    expect(pool.runs).toBe(1);
  });
});

describe('facelessPeople and squareAround', () => {
  const face = (box: Box) => ({ score: 0.9, box, landmarks: [] });
  it('leaves out the people a face lies in', () => {
    expect(
      facelessPeople(
        [
          [0, 0, 100, 300],
          [200, 0, 300, 300],
        ],
        [face([30, 10, 70, 50])],
      ),
    ).toEqual([[200, 0, 300, 300]]);
  });
  it('makes a square on the longer side about the centre', () => {
    expect(squareAround([0, 0, 100, 200], 1.1).map((v) => Math.round(v))).toEqual([-60, -10, 160, 210]);
  });
});
