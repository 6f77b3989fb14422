// The pages, in menu order. A page module exports `{ id, title, mount(root, ctx) }` (see app.js).
import analyze from './analyze.js';
import events from './events.js';
import live from './live.js';
import people from './people.js';
import who from './who.js';

export const PAGES = [live, events, who, people, analyze];

/** Old or short hashes that still lead somewhere. */
export const ALIASES = { faces: 'people', unknown: 'who', '': 'live' };
