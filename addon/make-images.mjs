// Draws the add-on's icon.png (128×128) and logo.png (250×100) from SVG with sharp.
// Run from the repository root: node addon/make-images.mjs. The Supervisor reads both pictures
// beside config.yaml, so they are written to the repository root.
import sharp from 'sharp';
import { fileURLToPath } from 'node:url';

const here = (name) => fileURLToPath(new URL(`../${name}`, import.meta.url));

/** An eye inside a camera-lens ring: Argus, the watchman with a hundred eyes. */
const eye = (cx, cy, r) => `
  <circle cx="${cx}" cy="${cy}" r="${r}" fill="#12263a"/>
  <circle cx="${cx}" cy="${cy}" r="${r * 0.86}" fill="none" stroke="#3fb6e8" stroke-width="${r * 0.08}"/>
  <path d="M ${cx - r * 0.7} ${cy} Q ${cx} ${cy - r * 0.62} ${cx + r * 0.7} ${cy} Q ${cx} ${cy + r * 0.62} ${cx - r * 0.7} ${cy} Z" fill="#ffffff"/>
  <circle cx="${cx}" cy="${cy}" r="${r * 0.27}" fill="#1f7fb8"/>
  <circle cx="${cx}" cy="${cy}" r="${r * 0.12}" fill="#0b1520"/>
  <circle cx="${cx + r * 0.08}" cy="${cy - r * 0.09}" r="${r * 0.05}" fill="#ffffff"/>`;

const icon = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128">${eye(64, 64, 62)}</svg>`;

const logo = `<svg xmlns="http://www.w3.org/2000/svg" width="250" height="100">
  ${eye(50, 50, 46)}
  <text x="108" y="66" font-family="DejaVu Sans, Arial, sans-serif" font-size="44" font-weight="bold" fill="#12263a">Argus</text>
</svg>`;

await sharp(Buffer.from(icon)).png().toFile(here('icon.png'));
await sharp(Buffer.from(logo)).png().toFile(here('logo.png'));
console.log('wrote icon.png and logo.png');
