import { defineAnalyzer } from '../analyzer.js';
import { weaponSchema } from './config.js';
import { WeaponAnalyzer } from './weapon.js';

/** Weapons among the frame's objects, confirmed over several frames. */
export const weaponAnalyzer = defineAnalyzer({
  name: 'weapon',
  config: weaponSchema,
  needs: ['objects'],
  kinds: [
    {
      kind: 'weapon',
      colour: '#ff2d2d',
      urgent: true,
      alerts: [{ name: 'weapon', icon: '🚨', headline: (events) => `Weapon (${events[0].label})` }],
      entities: [
        { platform: 'binary_sensor', key: 'weapon', name: 'Weapon', fields: { device_class: 'safety' }, on: () => true },
        // The first message of an event is its start: once per event.
        { platform: 'event', key: 'weapon_detected', name: 'Weapon detected', eventType: 'weapon_detected', fields: { icon: 'mdi:knife' }, fireOn: () => 'start' },
      ],
    },
  ],
  create: ({ config }) => {
    const weapons = new WeaponAnalyzer(config);
    return {
      analyze: async (frame) =>
        weapons.analyze(
          await frame.objects(),
          (await frame.persons()).map((p) => p.box),
        ),
      reset: () => weapons.reset(),
    };
  },
});
