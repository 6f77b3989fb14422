import { describe, expect, it } from 'vitest';
import { bodiesOfFaces, bodyBox, withBodyBoxes } from '../../../src/analyzers/person/body-box.js';
import type { PersonBox } from '../../../src/analyzers/person/from-faces.js';
import type { Keypoint } from '../../../src/models/detection.js';
import type { Box } from '../../../src/vision/iou.js';

const opts = { minScore: 0.5, width: 1000, height: 800 };
const faceGiven = (face: Box, box: Box): PersonBox => ({ label: 'person', score: 0.9, box, from: 'face', face });
const detected = (box: Box, face?: Box): PersonBox => ({ label: 'person', score: 0.8, box, from: 'objects', ...(face ? { face } : {}) });

/** A standing body whose eyes and nose are at (x, y), 300 px tall below them. */
function body(x: number, y: number, score = 0.9): { keypoints: Keypoint[] } {
  const k = (name: string, dx: number, dy: number, s = score): Keypoint => ({ name, x: x + dx, y: y + dy, score: s });
  return {
    keypoints: [
      k('nose', 0, 5),
      k('left_eye', 8, 0),
      k('right_eye', -8, 0),
      k('left_shoulder', 30, 50),
      k('right_shoulder', -30, 50),
      k('left_hip', 20, 160),
      k('right_hip', -20, 160),
      k('left_ankle', 20, 300),
      k('right_ankle', -20, 300),
      k('left_wrist', 60, 150, 0.1), // not seen: left out of the box
    ],
  };
}

describe('withBodyBoxes', () => {
  it('gives a person a face gave the box of the body whose head is that face: its seen keypoints and the face, a quarter face width around', () => {
    const face: Box = [480, 180, 520, 230];
    const [person] = withBodyBoxes([faceGiven(face, [440, 170, 560, 555])], [body(500, 200)], opts);
    expect(person.from).toBe('body');
    expect(person.box).toEqual([460, 170, 540, 510]);
    expect(person.face).toEqual(face);
  });

  it("leaves the box of a person the object detector boxed, and of one whose body's head is another face", () => {
    const persons = [detected([100, 100, 300, 700], [180, 110, 220, 160]), faceGiven([480, 180, 520, 230], [440, 170, 560, 555])];
    const found = withBodyBoxes(persons, [body(200, 130), body(700, 200)], opts);
    expect(found).toEqual(persons);
  });

  it('gives a head between two faces to the nearer, even when that person needs no body box', () => {
    // a head just off both faces, within a quarter face width of each: the nearer centre takes it
    const left = faceGiven([400, 200, 440, 240], [380, 190, 460, 500]);
    const right = detected([440, 150, 560, 700], [448, 205, 488, 245]);
    expect(bodiesOfFaces([left, right], [body(447, 220)], 0.5)).toEqual(new Map());
    expect(bodiesOfFaces([left, right], [body(439, 220)], 0.5)).toEqual(new Map([[0, 0]]));
  });

  it('gives each person one body, and needs a seen nose or eye', () => {
    const person = faceGiven([480, 180, 520, 230], [440, 170, 560, 555]);
    expect(bodiesOfFaces([person], [body(500, 200), body(502, 202)], 0.5)).toEqual(new Map([[0, 0]]));
    expect(withBodyBoxes([person], [body(500, 200, 0.3)], opts)).toEqual([person]);
  });

  it('keeps the body box inside the frame', () => {
    expect(bodyBox(body(500, 700).keypoints, [480, 680, 520, 730], opts)).toEqual([460, 670, 540, 800]);
  });
});
