import { describe, expect, it } from 'vitest';
// @ts-expect-error: the UI is plain browser JavaScript, without types
import { refusedFace } from '../../../src/ui/pages/review-lib.js';

describe('a refused face, as Who is this? says it', () => {
  it('leaves out the raw id of the event the face came from: its crop beside the reason shows which face', () => {
    const html = refusedFace({ face: 7, code: 'same_photo', error: `the face in 1796648146.117-kq500e is already one of "Zoë O'Brien"'s photos` });
    expect(html).toContain('src="api/unknown-faces/7/crop.jpg"');
    expect(html).toContain('the face is already one of &#34;Zoë O&#39;Brien&#34;&#39;s photos');
  });

  it('leaves out "pass force" (the API\'s way): the buttons under the answer add it anyway', () => {
    const html = refusedFace({
      face: 8,
      code: 'unlike',
      error: 'the face does not look like "Mum"\'s other photos (similarity 0.476, under 0.5): check that it is them, or pass force to add it anyway',
    });
    expect(html).toMatch(/check that it is them$/);
    const dup = refusedFace({
      face: 9,
      code: 'duplicate',
      error: 'the face looks like "Dad" (similarity 0.8, threshold 0.5): add it to "Dad" instead, or pass force to enrol it as "Mum" anyway',
    });
    expect(dup).toMatch(/add it to &#34;Dad&#34; instead$/);
  });
});
