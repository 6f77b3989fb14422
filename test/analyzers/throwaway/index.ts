import { z } from 'zod';
import { defineAnalyzer } from '../../../src/analyzers/analyzer.js';

/**
 * An analyzer that lives only in the tests: a "glow" whenever a frame's mean brightness is at
 * least `min_brightness`. It proves that a folder plus a place in the list is all an analyzer
 * needs to reach the config, events, the API, HA discovery and Telegram.
 */
export const glowAnalyzer = defineAnalyzer({
  name: 'glow',
  config: z.object({ min_brightness: z.number().min(0).max(255).default(200) }).strict(),
  needs: [],
  kinds: [
    {
      kind: 'glow',
      colour: '#ff00ff',
      alerts: [{ name: 'glow', icon: '✨', headline: (events) => (events.length === 1 ? 'Glow' : `${events.length} glows`) }],
      entities: [{ platform: 'binary_sensor', key: 'glow', name: 'Glow', fields: { device_class: 'light' }, on: () => true }],
    },
  ],
  create: ({ config }) => ({
    analyze: ({ img }) => {
      let sum = 0;
      for (let i = 0; i < img.data.length; i++) sum += img.data[i];
      const mean = sum / img.data.length;
      return mean >= config.min_brightness ? [{ kind: 'glow', label: 'glow', score: Math.min(1, mean / 255), box: [0, 0, img.width, img.height] }] : [];
    },
  }),
});
