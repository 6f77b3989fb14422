import { describe, expect, it } from 'vitest';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { liveObjectLabels } from '../../src/analyzers/live-labels.js';

const byName = (...names: string[]) => ANALYZERS.filter((a) => names.includes(a.name));

describe('liveObjectLabels', () => {
  it('person always, and the labels of the analyzers that run: the weapons by default', () => {
    expect(liveObjectLabels(byName('person', 'faces', 'pose', 'weapon'), {}).sort()).toEqual(['knife', 'person', 'pistol']);
    expect(liveObjectLabels([], {})).toEqual(['person']);
  });

  it('reads each analyzer’s own options: watched objects, weapon labels, the proctor’s phone', () => {
    const config = { object: { labels: ['dog', 'car'] }, weapon: { labels: ['pistol'] } };
    expect(liveObjectLabels(byName('object', 'weapon', 'proctor'), config).sort()).toEqual(['car', 'cell phone', 'dog', 'person', 'pistol']);
  });
});
