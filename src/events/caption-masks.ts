import sharp from 'sharp';
import type { AlphaMask } from '../vision/draw.js';

/** The captions' font: DejaVu Sans (in the add-on image with ffmpeg, through fontconfig), else any sans. */
const FONT = 'DejaVu Sans, sans-serif';

/**
 * Captions kept rendered: a camera's captions repeat ("person 87%", "face alice 91%"), so after
 * the first frames almost every caption is drawn from here. 512 masks of a 640×360 frame's
 * 15 px captions are about 1 MB.
 */
const CAPACITY = 512;

/** What XML cannot hold (a name with a control character would make the SVG unreadable) is left out. */
function escapeXml(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Caption text as coverage masks, rendered by sharp (librsvg and Pango, so any script a name is
 * written in is shaped) once per text and size, least recently used dropped first.
 */
export class CaptionMasks {
  private readonly cache = new Map<string, Promise<AlphaMask>>();

  /** The text's mask, `size` px font, its baseline at `size` from the top, `size + 4` rows; as wide as its ink. */
  mask(text: string, size: number): Promise<AlphaMask> {
    const key = `${size}\n${text}`;
    const known = this.cache.get(key);
    if (known) {
      this.cache.delete(key);
      this.cache.set(key, known);
      return known;
    }
    const rendered = renderText(text, size);
    this.cache.set(key, rendered);
    rendered.catch(() => this.cache.delete(key));
    if (this.cache.size > CAPACITY) this.cache.delete(this.cache.keys().next().value as string);
    return rendered;
  }

  get size(): number {
    return this.cache.size;
  }
}

async function renderText(text: string, size: number): Promise<AlphaMask> {
  const height = size + 4;
  // room for the widest glyphs (CJK, about 1 em each); trimmed to the ink below
  const room = Math.ceil((text.length + 1) * size * 1.2);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${room}" height="${height}"><text x="0" y="${size}" font-family="${FONT}" font-size="${size}" fill="#fff">${escapeXml(text)}</text></svg>`;
  const { data } = await sharp(Buffer.from(svg)).ensureAlpha().extractChannel(3).raw().toBuffer({ resolveWithObject: true });
  let width = 0;
  for (let x = room - 1; x >= 0 && width === 0; x--) for (let y = 0; y < height; y++) if (data[y * room + x] > 0) width = x + 1;
  const alpha = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) alpha.set(data.subarray(y * room, y * room + width), y * width);
  return { width, height, alpha };
}
