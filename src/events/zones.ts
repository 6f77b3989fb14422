import type { CameraMasks, CameraZones, Polygon } from './config.js';
import type { EventBox } from './event.js';

/** Ray casting; a point exactly on an edge may fall either way, which is fine for pixels. */
export function pointInPolygon(x: number, y: number, polygon: Polygon): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Where an object stands: the bottom centre of its box (Frigate's rule for zones and masks). */
export function bottomCentre(box: EventBox): [number, number] {
  return [(box[0] + box[2]) / 2, box[3]];
}

/** Polygons given as fractions (every coordinate ≤ 1) are scaled to the frame. */
function toPixels(polygon: Polygon, width: number, height: number): Polygon {
  const relative = polygon.every(([x, y]) => x <= 1 && y <= 1);
  return relative ? polygon.map(([x, y]) => [x * width, y * height]) : polygon;
}

export interface CameraAreasConfig {
  zones?: CameraZones;
  masks?: CameraMasks;
}

/** One camera's zones and masks, resolved to pixels for a frame size. */
export class CameraAreas {
  private readonly zones: Array<{ name: string; polygon: Polygon; objects?: string[] }>;
  private readonly masks: Polygon[];

  constructor(config: CameraAreasConfig, width: number, height: number) {
    this.zones = Object.entries(config.zones ?? {}).map(([name, z]) => ({ name, polygon: toPixels(z.coordinates, width, height), objects: z.objects }));
    this.masks = (config.masks ?? []).map((m) => toPixels(m, width, height));
  }

  /** A detection whose bottom centre lies in a mask is ignored. */
  masked(box: EventBox): boolean {
    const [x, y] = bottomCentre(box);
    return this.masks.some((m) => pointInPolygon(x, y, m));
  }

  /** Zones a box stands in, in config order; with a label, a zone with `objects` counts only those labels. */
  zonesOf(box: EventBox, label?: string): string[] {
    const [x, y] = bottomCentre(box);
    return this.zones.filter((z) => (!label || !z.objects || z.objects.includes(label)) && pointInPolygon(x, y, z.polygon)).map((z) => z.name);
  }
}
