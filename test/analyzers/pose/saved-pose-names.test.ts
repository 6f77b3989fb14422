import { describe, expect, it } from 'vitest';
import { analyzersSchema } from '../../../src/analyzers/config.js';
import type { AnalyzerModels } from '../../../src/analyzers/analyzer.js';
import { poseAnalyzer } from '../../../src/analyzers/pose/index.js';
import type { ReferencePose } from '../../../src/store/poses.js';
import { capturingLogger } from '../../helpers/log-lines.js';

const saved: ReferencePose[] = [{ name: 'hands_up', vector: {}, threshold: 0.7, model: 'blazepose', created_at: 0 }];

function createOn(poses: string[]): string[] {
  const { logger, lines } = capturingLogger();
  poseAnalyzer.create({
    camera: 'stage',
    config: analyzersSchema.parse({}).pose,
    cameraConfig: { enabled: true, schedule: [], required_zones: [], poses, fall: true },
    models: {} as AnalyzerModels,
    matchFace: () => null,
    references: () => saved,
    logger,
  });
  return lines;
}

describe('a camera’s saved poses', () => {
  it('warns of a name no saved pose has (a typo matched nothing, unsaid)', () => {
    const lines = createOn(['hands_upp']);
    expect(lines.join('\n')).toContain('cameras.stage.analyzers.pose.poses: hands_upp is not saved (saved: hands_up)');
  });

  it('says nothing when every name is saved, or none is named', () => {
    expect(createOn(['hands_up']).filter((l) => l.includes('not saved'))).toEqual([]);
    expect(createOn([]).filter((l) => l.includes('not saved'))).toEqual([]);
  });
});
