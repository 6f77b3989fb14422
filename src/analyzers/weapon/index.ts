import { defineAnalyzer } from '../analyzer.js';
import { findPoses } from '../pose/find-poses.js';
import { weaponSchema } from './config.js';
import { WeaponAnalyzer, type WeaponPerson } from './weapon.js';

/** Weapons among the frame's objects, confirmed over several frames; a pose tells who holds one. */
export const weaponAnalyzer = defineAnalyzer({
  name: 'weapon',
  config: weaponSchema,
  needs: ['objects'],
  essential: true,
  objectLabels: (config) => config.labels,
  kinds: [
    {
      kind: 'weapon',
      colour: '#ff2d2d',
      urgent: true,
      alerts: [
        {
          name: 'weapon',
          icon: '🚨',
          headline: (events) => `Weapon (${events[0].label}${events[0].sub_label ? `, ${events[0].sub_label}` : ''})`,
          // No Who line: a weapon's sub label is only "armed person" (in the headline); "unknown person"
          // read as if someone had been seen, for a knife on a table too.
          who: () => null,
        },
      ],
      entities: [
        { platform: 'binary_sensor', key: 'weapon', name: 'Weapon', fields: { device_class: 'safety' }, on: () => true },
        // The first message of an event is its start: once per event.
        { platform: 'event', key: 'weapon_detected', name: 'Weapon detected', eventType: 'weapon_detected', fields: { icon: 'mdi:knife' }, fireOn: () => 'start' },
      ],
    },
  ],
  create: ({ config, models }) => {
    const weapons = new WeaponAnalyzer(config);
    return {
      analyze: async (frame) => {
        const persons: WeaponPerson[] = (await frame.persons()).map((p) => ({ box: p.box }));
        const objects = await frame.objects();
        // The pose runs only on people next to a weapon candidate: rare, so nearly free.
        const posed = models.has('pose')
          ? weapons.needsPose(
              weapons.candidates(objects),
              persons.map((p) => p.box),
            )
          : [];
        for (const person of persons) {
          if (!posed.includes(person.box)) continue;
          const [pose] = await findPoses(models, frame.img, [person.box]);
          person.keypoints = pose?.keypoints;
        }
        return weapons.analyze(objects, persons);
      },
      reset: () => weapons.reset(),
    };
  },
});
