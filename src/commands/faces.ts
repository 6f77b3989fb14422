import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { silentLogger } from '../log.js';
import { Detector } from '../models/detector.js';
import { registryConfigSchema } from '../registry/config.js';
import { RegistryError } from '../registry/errors.js';
import { FaceRegistry } from '../registry/face-registry.js';
import { openDatabase } from '../store/database.js';
import { EventStore } from '../store/events.js';

const USAGE = `usage: argus faces <command> [options]

commands:
  list                         people with their sample counts
  show <name>                  one person's samples
  add <name> <photo…>          enrol a person from one or more photos (all or none)
  rename <name> <new name>     rename a person
  merge <name> <into name>     move one person's samples to another (the same person enrolled twice) and remove the first
  remove <name>                delete a person and all their samples
  remove <name> --sample <id>  delete one sample
  export <file.tar.gz>         write the whole registry to one archive
  import <file.tar.gz>         replace the registry with an archive (the current one is backed up first)
  backups                      list the automatic backups, newest first
  restore <file>               restore a backup (its path, or its name as backups lists it) or an export (a bad file changes nothing)

options:
  --face <n>          add: which face of a photo with several (0 = leftmost)
  --force             add: enrol even if the face looks like someone else; merge: merge two people who look nothing alike
  --external-id <id>  add: an id from elsewhere (e.g. a Home Assistant person entity)
  --config <file>     config file (as for argus run)
  --data <dir>        data folder (default: the config's data_dir)
  --json              print JSON

Works beside a running Argus: it sees the changes within seconds (Home Assistant's people too).
Only add, import and restore create a registry where there is none; the others refuse.`;

const ARITY: Record<string, [number, number]> = {
  list: [0, 0],
  show: [1, 1],
  add: [2, Infinity],
  rename: [2, 2],
  merge: [2, 2],
  remove: [1, 1],
  export: [1, 1],
  import: [1, 1],
  backups: [0, 0],
  restore: [1, 1],
};

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one switch over the subcommands, each a few lines; splitting it would hide the CLI's shape
export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        face: { type: 'string' },
        force: { type: 'boolean', default: false },
        'external-id': { type: 'string' },
        sample: { type: 'string' },
        config: { type: 'string' },
        data: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    console.error(`argus faces: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    (values.help ? console.log : console.error)(USAGE);
    return values.help ? 0 : 2;
  }
  const arity = ARITY[command];
  if (!arity || rest.length < arity[0] || rest.length > arity[1]) {
    console.error(`argus faces: ${arity ? `wrong number of arguments for "${command}"` : `unknown command "${command}"`}\n\n${USAGE}`);
    return 2;
  }
  const face = values.face === undefined ? undefined : Number(values.face);
  if (face !== undefined && !(Number.isInteger(face) && face >= 0)) {
    console.error(`argus faces: --face must be a face's index (0, 1, …), got "${values.face}"`);
    return 2;
  }

  let loaded;
  try {
    loaded = loadConfig({ configPath: values.config });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`argus faces: ${err.message}`);
      return 78;
    }
    throw err;
  }
  const { config } = loaded;
  const dataDir = resolve(values.data ?? config.data_dir);
  const facesConfig = registryConfigSchema.parse((config as { faces?: unknown }).faces ?? {});
  const file = join(dataDir, 'argus.db');
  // Reading a registry that is not there must not make an empty one (a typo in --data, the wrong folder).
  const creates = command === 'add' || command === 'import' || command === 'restore';
  if (!existsSync(file)) {
    if (!creates) {
      console.error(`argus faces: no face registry at ${file} (set --data or ARGUS_DATA_DIR to Argus' data folder)`);
      return 1;
    }
    console.error(`argus faces: no face registry at ${file} yet: making a new one there`);
  }
  const detector = command === 'add' ? await Detector.create({ config: config.models, logger: silentLogger(), families: ['faces'] }) : undefined;
  const db = openDatabase(file);
  const events = new EventStore(db);
  const registry = new FaceRegistry({
    db,
    config: facesConfig,
    dataDir,
    model: config.models.faces.embedder,
    models: detector,
    // past events name people by name: a rename from here takes them along, as the UI's does
    onRenamed: (from, to) => events.rename(from, to),
    logger: silentLogger(),
  });
  const print = (json: unknown, text: string) => console.log(values.json ? JSON.stringify(json, null, 2) : text);
  try {
    registry.start();
    switch (command) {
      case 'list': {
        const people = registry.list();
        print(
          people,
          people.length
            ? people.map((p) => `${p.name}  ${p.samples} sample${p.samples === 1 ? '' : 's'}${p.externalId ? `  (${p.externalId})` : ''}`).join('\n')
            : `the face registry in ${file} is empty`,
        );
        break;
      }
      case 'show': {
        const p = registry.person(rest[0]);
        print(
          p,
          [
            `${p.name}${p.externalId ? ` (${p.externalId})` : ''}`,
            ...p.samples.map((s) => `  sample ${s.id}: ${s.source}${s.sourceRef ? ` ${s.sourceRef}` : ''}, ${new Date(s.createdAt).toISOString()}`),
          ].join('\n'),
        );
        break;
      }
      case 'add': {
        const [name, ...files] = rest;
        const photos = files.map((f) => {
          try {
            return { data: readFileSync(f), label: basename(f) };
          } catch (err) {
            throw new RegistryError('not_an_image', `cannot read ${f}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
          }
        });
        const r = await registry.enrolPhotos(name, photos, { face, force: values.force, externalId: values['external-id'] });
        const doubtful = doubts(r.person.name, r.samples, files, registry.threshold);
        print(
          r,
          `${r.created ? 'added' : 'updated'} ${r.person.name}: ${r.samples.length} new sample${r.samples.length === 1 ? '' : 's'} (${registry.person(r.person.name).samples.length} in all)${doubtful}`,
        );
        break;
      }
      case 'rename': {
        const p = registry.update(rest[0], { name: rest[1] });
        print(p, `renamed ${rest[0]} to ${p.name}`);
        break;
      }
      case 'merge': {
        const r = registry.merge(rest[0], rest[1], { force: values.force });
        print(r, `merged ${rest[0]} into ${r.person.name}: ${r.moved} sample${r.moved === 1 ? '' : 's'} moved (${registry.person(r.person.name).samples.length} in all)`);
        break;
      }
      case 'remove': {
        if (values.sample !== undefined) {
          registry.removeSample(rest[0], Number(values.sample));
          print({ removed: { person: rest[0], sample: Number(values.sample) } }, `removed sample ${values.sample} of ${rest[0]}`);
        } else {
          registry.removePerson(rest[0]);
          print({ removed: { person: rest[0] } }, `removed ${rest[0]} and all their samples`);
        }
        break;
      }
      case 'export': {
        const archive = registry.exportArchive();
        // faces and their embeddings: readable by this user only, as the data folder is
        writeFileSync(rest[0], archive, { mode: 0o600 });
        print({ file: rest[0], bytes: archive.length }, `wrote ${rest[0]} (${(archive.length / 1024).toFixed(0)} KiB)`);
        break;
      }
      case 'import':
      case 'restore': {
        const r = await registry.restore(rest[0]);
        print(r, `the registry now holds ${r.people} people, ${r.samples} samples${r.backup ? `; the one it replaced is in ${r.backup}` : ''}`);
        break;
      }
      case 'backups': {
        const list = registry.listBackups();
        print(
          list,
          list.length
            ? list.map((b) => `${b.path}  ${b.time}  ${(b.bytes / 1024).toFixed(0)} KiB  ${backupPeople(b.people)}`).join('\n')
            : `no backups in ${join(dataDir, 'backups')}`,
        );
        break;
      }
    }
    return 0;
  } catch (err) {
    if (err instanceof RegistryError) {
      // The registry speaks the API's words (force, face=2); here they are flags.
      console.error(`argus faces: ${err.message.replace(/\bpass force\b/g, 'pass --force').replace(/\bface=(\d+) is not/, '--face $1 is not')}`);
      return 1;
    }
    throw err;
  } finally {
    registry.stop();
    db.close();
    await detector?.close();
  }
}

/** Who a backup holds, in words: "3 people: Anna (4 photos), …", or that an older backup did not say. */
export function backupPeople(people: readonly { name: string; samples: number }[] | null): string {
  if (people === null) return 'who is in it was not recorded (an older backup)';
  if (people.length === 0) return 'nobody';
  return `${people.length} ${people.length === 1 ? 'person' : 'people'}: ${people.map((p) => `${p.name} (${p.samples} photo${p.samples === 1 ? '' : 's'})`).join(', ')}`;
}

/**
 * Photos that went in looking less like the person than the registry names anyone from: a photo
 * of someone else would give strangers who look like them this name. Said with the sample to remove.
 */
export function doubts(name: string, samples: readonly { id: number; likeness: number | null }[], files: readonly string[], threshold: number): string {
  const lines = samples.flatMap((s, i) =>
    s.likeness !== null && s.likeness < threshold
      ? [
          `\nwarning: ${basename(files[i] ?? '')} looks only ${Math.round(s.likeness * 100)} % like ${name}'s other photos (faces are named from ${Math.round(threshold * 100)} %): if it is someone else, remove it (argus faces remove "${name}" --sample ${s.id}), or strangers like them will be named ${name}`,
        ]
      : [],
  );
  return lines.join('');
}
