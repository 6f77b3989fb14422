import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One entry of models/manifest.json (written by the converter, src/convert/). */
export interface ManifestModel {
  name: string;
  file: string;
  task: string;
  inputs: { name: string; shape: number[]; dtype: string; layout?: string; pixelRange?: string }[];
  outputs: { name: string; shape: number[]; dtype: string }[];
  /** Label file, relative to the models folder. */
  labels?: string;
  /** A trained head merged into it at build time, relative to the models folder. */
  head?: string;
}

export class ModelNotFoundError extends Error {
  readonly code = 'model_not_found';
}

/** The package's models/ folder: two levels up from src/models/ (or dist/models/). */
export function defaultModelsDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'models');
}

export class ModelManifest {
  private constructor(
    readonly dir: string,
    private readonly models: Map<string, ManifestModel>,
  ) {}

  static load(dir = defaultModelsDir()): ModelManifest {
    const path = join(dir, 'manifest.json');
    if (!existsSync(path)) {
      throw new ModelNotFoundError(`no model manifest at ${path}; run "argus models build" to create the default models`);
    }
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { models: ManifestModel[] };
    return new ModelManifest(dir, new Map(parsed.models.map((m) => [m.name, m])));
  }

  get(name: string): ManifestModel {
    const m = this.models.get(name);
    if (!m) throw new ModelNotFoundError(`model "${name}" is not in ${join(this.dir, 'manifest.json')}`);
    return m;
  }

  /** Path of a model's .onnx file; throws with the command that builds it when it is missing. */
  path(name: string): string {
    const p = join(this.dir, this.get(name).file);
    if (!existsSync(p)) throw new ModelNotFoundError(`model file ${p} is missing; run "argus models build"`);
    return p;
  }

  labelsPath(name: string): string | undefined {
    const l = this.get(name).labels;
    return l ? join(this.dir, l) : undefined;
  }
}
