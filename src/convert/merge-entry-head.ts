import { join } from 'node:path';
import { readLabels } from '../models/labels.js';
import { headFromFile, readHeadFile } from '../train/head-file.js';
import type { ConvertedModel } from './convert.js';
import type { ManifestEntry } from './manifest.js';
import { mergeHead, replacedChannels } from './merge-head.js';

/**
 * Merges a manifest entry's trained head into its converted CenterNet. The entry's label file
 * lists the base classes and then the head's: a head class of the same name as a base class
 * (COCO's `knife`) replaces it, so that label means the trained one only.
 */
export async function mergeEntryHead(model: ConvertedModel, entry: ManifestEntry, dir: string): Promise<ConvertedModel> {
  if (!entry.head) return model;
  const headPath = join(dir, entry.head);
  const file = await readHeadFile(headPath);
  if (!entry.labels) throw new Error(`model ${entry.name}: a merged head needs a label file (the base labels, then ${file.classes.join(', ')})`);
  const labels = await readLabels(join(dir, entry.labels));
  const base = labels.slice(0, labels.length - file.classes.length);
  const tail = labels.slice(base.length);
  if (tail.join(',') !== file.classes.join(',')) {
    throw new Error(`model ${entry.name}: ${entry.labels} must end with the head's classes ${file.classes.join(', ')}, not ${tail.join(', ')}`);
  }
  return { ...model, bytes: mergeHead(model.bytes, headFromFile(file, headPath), { suppress: replacedChannels(base, file.classes) }) };
}
