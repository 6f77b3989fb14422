import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { cameraMasksSchema, cameraZonesSchema, eventsSchema } from '../../src/events/config.js';
import { CameraAreas } from '../../src/events/zones.js';

describe('docs/events.md', () => {
  const doc = readFileSync(resolve(import.meta.dirname, '../../docs/events.md'), 'utf8');

  it('has a zones and masks example that the schemas accept and that means what it says', () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)![1];
    const camera = parseYaml(yaml).cameras.front_door;
    const areas = new CameraAreas(
      {
        zones: cameraZonesSchema.parse(camera.zones),
        masks: cameraMasksSchema.parse(camera.masks),
      },
      640,
      360,
    );
    expect(areas.zonesOf([100, 150, 160, 300], 'person')).toEqual(['porch']);
    expect(areas.zonesOf([400, 250, 420, 300], 'person')).toEqual(['driveway']);
    expect(areas.zonesOf([400, 250, 420, 300], 'knife')).toEqual([]);
    expect(areas.masked([505, 78, 538, 108])).toBe(true);
    expect(camera.analyzers.weapon.required_zones).toEqual(['porch']);
  });

  it('states the defaults the schema has', () => {
    const d = eventsSchema.parse({});
    expect(doc).toContain(`| \`events.end_after\` | \`${d.end_after}\` |`);
    expect(doc).toContain(`| \`events.min_frames\` | \`${d.min_frames}\` |`);
    expect(doc).toContain(`| \`events.retain.days\` | \`${d.retain.days}\` |`);
    expect(doc).toContain(`| \`events.retain.max_mb\` | \`${d.retain.max_mb}\` |`);
  });
});
