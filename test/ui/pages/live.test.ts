import { describe, expect, it } from 'vitest';
// @ts-expect-error: the UI is plain browser JavaScript, without types
import { nowLine } from '../../../src/ui/pages/live.js';

interface Shown {
  id: string;
  kind: string;
  label: string;
  sub_label?: string | null;
}
const ev = (id: string, kind: string, label: string, sub_label: string | null = null): Shown => ({ id, kind, label, sub_label });
/** The chips' texts and links, from the line's HTML. */
const chips = (html: string) => [...html.matchAll(/<a class="chip( alarm)?" href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[3], m[2], Boolean(m[1])]);

describe("the Live page's now line", () => {
  it('counts people first, then alarms, then names the rest, one chip per name with its count', () => {
    const html = nowLine('door', [
      ev('f1', 'face', 'face'),
      ev('p1', 'person', 'person'),
      ev('f2', 'face', 'face', 'alice'),
      ev('w1', 'weapon', 'knife'),
      ev('f3', 'face', 'face'),
      ev('p2', 'person', 'person'),
      ev('b1', 'pose', 'person'),
      ev('s1', 'suspicious', 'looking_away', 'A1'),
    ]);
    expect(chips(html)).toEqual([
      ['2 people', '#events?camera=door&#38;kind=person', false],
      ['⚠ knife', '#events/w1', true],
      ['⚠ A1: looking away', '#events/s1', true],
      ['unknown face ×2', '#events?camera=door&#38;kind=face', false],
      ['alice', '#events/f2', false],
    ]);
  });

  it('says nothing is in view, a body alone (a pose labelled person) included; a fall is an alarm', () => {
    expect(nowLine('door', [])).toContain('nothing in view');
    expect(nowLine('door', [ev('b1', 'pose', 'person')])).toContain('nothing in view');
    expect(chips(nowLine('door', [ev('b2', 'pose', 'fall')]))).toEqual([['⚠ fall', '#events/b2', true]]);
  });
});
