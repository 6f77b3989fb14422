import { readFile } from 'node:fs/promises';

/**
 * Reads a label file: one label a line in class order, or Frigate-style "0 person" /
 * "0: person" lines with explicit indices (gaps become "class_<i>").
 */
export async function readLabels(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return parseLabels(text);
}

export function parseLabels(text: string): string[] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const indexed = lines.map((l) => /^(\d+)\s*[:\s]\s*(.+)$/.exec(l));
  if (lines.length > 0 && indexed.every((m) => m !== null)) {
    const labels: string[] = [];
    for (const m of indexed) labels[Number(m![1])] = m![2].trim();
    return Array.from(labels, (l, i) => l ?? `class_${i}`);
  }
  return lines;
}
