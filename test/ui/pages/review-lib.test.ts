import { describe, expect, it } from 'vitest';
// @ts-expect-error: the UI is plain browser JavaScript, without types
import { refusedFace } from '../../../src/ui/pages/review-lib.js';

describe('a refused face, as Who is this? says it', () => {
  it('leaves out the raw id of the event the face came from: its crop beside the reason shows which face', () => {
    const html = refusedFace({ face: 7, code: 'same_photo', error: `the face in 1796648146.117-kq500e is already one of "Zoë O'Brien"'s photos` });
    expect(html).toContain('src="api/unknown-faces/7/crop.jpg"');
    expect(html).toContain('the face is already one of &#34;Zoë O&#39;Brien&#34;&#39;s photos');
  });
});
