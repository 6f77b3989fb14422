// The pages, in menu order. A page module exports `{ id, title, mount(root, ctx) }` (see app.js).
import analyze from './analyze.js';
import cameras from './cameras.js';
import events from './events.js';
import live from './live.js';
import logs from './logs.js';
import people from './people.js';
import proctor from './proctor.js';
import settings from './settings.js';
import stats from './stats.js';
import who from './who.js';

export const PAGES = [live, events, who, people, stats, cameras, analyze, proctor, logs, settings];

/** Old or short hashes that still lead somewhere. */
export const ALIASES = { faces: 'people', unknown: 'who', '': 'live' };
