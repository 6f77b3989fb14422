import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');
export const FACES = join(FIXTURES, 'faces');

/**
 * Who is in each probe photo, left to right, checked by eye. The fixtures README has
 * two_people.jpg as two strangers, but it is Obama (left) and Biden (right); and in
 * obama_and_biden.jpg Biden is on the left, and a child (Sasha Obama, not enrolled) stands lower right,
 * her face found since the face detector also runs on tiles.
 */
export const PROBE_PEOPLE: Record<string, string[]> = {
  'alex_lacamoire1.jpg': ['alex_lacamoire'],
  'kit_harington1.jpg': ['kit_harington'],
  'kit_with_rose.jpg': ['rose_leslie', 'kit_harington'],
  'obama1.jpg': ['barack_obama'],
  'obama3.jpg': ['barack_obama'],
  'obama-240p.jpg': ['barack_obama'],
  'obama_small.jpg': ['barack_obama'],
  'obama_partial_face.jpg': ['barack_obama'],
  'obama_and_biden.jpg': ['joe_biden', 'barack_obama', 'sasha_obama'],
  'two_people.jpg': ['barack_obama', 'joe_biden'],
};

/** The people the recognition test and bench enrol, and from which photos of faces/known/. */
export const ENROLLED: Record<string, string[]> = { lin_manuel_miranda: ['1.png'], barack_obama: ['1.jpg', '2.jpg'] };

/** Why tests that need the fixture photos and the built models must skip, or null when they can run. */
export const SKIP_WITHOUT_FACES: string | null = !existsSync(FACES)
  ? `${FACES} is absent`
  : !existsSync(join(import.meta.dirname, '..', '..', 'models', 'faceres.onnx'))
    ? 'models/*.onnx are not built (npx tsx src/cli.ts models build)'
    : null;
