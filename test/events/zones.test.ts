import { describe, expect, it } from 'vitest';
import { cameraMasksSchema, cameraZonesSchema, eventsSchema } from '../../src/events/config.js';
import { CameraAreas, pointInPolygon } from '../../src/events/zones.js';

describe('pointInPolygon', () => {
  const square: Array<[number, number]> = [
    [0, 0],
    [10, 0],
    [10, 10],
    [0, 10],
  ];
  it('tells inside from outside, concave shapes included', () => {
    expect(pointInPolygon(5, 5, square)).toBe(true);
    expect(pointInPolygon(15, 5, square)).toBe(false);
    const l: Array<[number, number]> = [
      [0, 0],
      [10, 0],
      [10, 4],
      [4, 4],
      [4, 10],
      [0, 10],
    ];
    expect(pointInPolygon(2, 8, l)).toBe(true);
    expect(pointInPolygon(8, 8, l)).toBe(false);
  });
});

describe('zone and mask config', () => {
  it('reads Frigate-style coordinate strings and lists of pairs', () => {
    const zones = cameraZonesSchema.parse({
      porch: { coordinates: '0,0,100,0,100,50' },
      yard: {
        coordinates: [
          [0, 0],
          [1, 0],
          [1, 1],
        ],
        objects: ['person'],
      },
    });
    expect(zones.porch.coordinates).toEqual([
      [0, 0],
      [100, 0],
      [100, 50],
    ]);
    expect(zones.yard.objects).toEqual(['person']);
  });

  it('refuses odd numbers, too few points and unknown keys with a message', () => {
    expect(() => cameraZonesSchema.parse({ porch: { coordinates: '0,0,100' } })).toThrow(/pairs of numbers/);
    expect(() => cameraZonesSchema.parse({ porch: { coordinates: '0,0,100,0' } })).toThrow(/at least 3 points/);
    expect(() => cameraZonesSchema.parse({ porch: { coordinates: '0,0,1,0,1,1', colour: 'red' } })).toThrow();
    expect(() => cameraZonesSchema.parse({ 'Front Porch': { coordinates: '0,0,1,0,1,1' } })).toThrow(/a-z, 0-9/);
  });

  it('takes one mask or a list of them', () => {
    expect(cameraMasksSchema.parse('0,0,10,0,10,10')).toEqual([
      [
        [0, 0],
        [10, 0],
        [10, 10],
      ],
    ]);
    expect(
      cameraMasksSchema.parse([
        '0,0,10,0,10,10',
        [
          [1, 1],
          [2, 1],
          [2, 2],
        ],
      ]),
    ).toHaveLength(2);
    expect(cameraMasksSchema.parse(undefined)).toEqual([]);
  });

  it('has defaults for every events key and refuses unknown ones', () => {
    expect(eventsSchema.parse({})).toEqual({ end_after: 10, min_frames: 1, retain: { days: 10, max_mb: 1000 } });
    expect(() => eventsSchema.parse({ end_after: 0 })).toThrow();
    expect(() => eventsSchema.parse({ retain: { weeks: 2 } })).toThrow();
  });
});

describe('CameraAreas', () => {
  const areas = new CameraAreas(
    {
      zones: cameraZonesSchema.parse({
        porch: { coordinates: '0,200,320,200,320,360,0,360' },
        drive: {
          coordinates: [
            [0.5, 0.5],
            [1, 0.5],
            [1, 1],
            [0.5, 1],
          ],
          objects: ['car'],
        },
      }),
      masks: cameraMasksSchema.parse('500,0,640,0,640,120,500,120'),
    },
    640,
    360,
  );

  it('puts an object in a zone by the bottom centre of its box', () => {
    expect(areas.zonesOf([100, 50, 200, 300], 'person')).toEqual(['porch']);
    // Head in the porch, feet outside: not in it.
    expect(areas.zonesOf([400, 250, 500, 350], 'person')).toEqual([]);
  });

  it("scales fractional coordinates to the frame and honours a zone's object list", () => {
    expect(areas.zonesOf([400, 200, 600, 340], 'car')).toEqual(['drive']);
    expect(areas.zonesOf([400, 200, 600, 340], 'person')).toEqual([]);
    // Asked without a label (the analyzers' required_zones check), every zone counts.
    expect(areas.zonesOf([400, 200, 600, 340])).toEqual(['drive']);
  });

  it('masks a detection whose bottom centre is in a mask', () => {
    expect(areas.masked([505, 78, 538, 108])).toBe(true);
    expect(areas.masked([505, 78, 538, 200])).toBe(false);
  });
});
