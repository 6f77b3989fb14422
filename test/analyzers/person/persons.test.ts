import { describe, expect, it } from 'vitest';
import { findPersons } from '../../../src/analyzers/person/persons.js';
import type { FaceDetection, ObjectDetection } from '../../../src/models/detection.js';
import type { Box } from '../../../src/vision/iou.js';

const config = { min_score: 0.4, min_area: 400 };
const object = (label: string, box: Box, score: number): ObjectDetection => ({ label, box, score });
const face = (box: Box): FaceDetection => ({ box, score: 0.95, landmarks: [] });

describe('findPersons', () => {
  const objects = [
    object('person', [100, 100, 300, 700], 0.5),
    object('person', [600, 100, 800, 700], 0.3),
    object('dog', [0, 0, 50, 50], 0.9),
    object('person', [900, 0, 910, 10], 0.9),
  ];

  it('without faces, counts the sure persons of the object detector, none smaller than min_area', () => {
    expect(findPersons(objects, undefined, config, 1000, 800)).toEqual([{ label: 'person', score: 0.5, box: [100, 100, 300, 700], from: 'objects' }]);
  });

  it('with faces, adds the unsure box a face confirms and the person a lone face gives, surest first', () => {
    const found = findPersons(objects, [face([670, 110, 730, 170]), face([420, 300, 460, 340])], config, 1000, 800);
    expect(found.map((p) => [p.from, p.score])).toEqual([
      ['face', 0.95],
      ['objects', 0.5],
      ['objects', 0.3],
    ]);
    expect(found[2].face).toEqual([670, 110, 730, 170]);
  });
});
