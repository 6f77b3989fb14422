import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { registryConfigSchema } from '../../src/registry/config.js';
import { RegistryError } from '../../src/registry/errors.js';
import { FaceRegistry, type FaceRegistryOptions } from '../../src/registry/face-registry.js';
import { openFaceMatcher } from '../../src/registry/open-matcher.js';
import { readTar, writeTar } from '../../src/registry/tar.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { near, randomEmbedding } from './random-embedding.js';

const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function registryIn(dir = mkdtempSync(join(tmpdir(), 'argus-registry-')), extra: Partial<FaceRegistryOptions> = {}) {
  const db = openDatabase(join(dir, 'argus.db'));
  open.push(db);
  let clock = Date.UTC(2026, 0, 2, 3, 4, 5);
  const registry = new FaceRegistry({
    db,
    config: registryConfigSchema.parse({ backups: { keep: 3, delay: 0 } }),
    dataDir: dir,
    model: 'faceres',
    logger: silentLogger(),
    now: () => (clock += 1000),
    ...extra,
  });
  registry.start();
  return { registry, dir, db };
}

/** The archive with its manifest changed by `edit`, the other files as they were. */
async function repack(archive: Buffer, edit: (manifest: { people: Array<Record<string, unknown>> } & Record<string, unknown>) => unknown): Promise<Buffer> {
  const files = readTar(gunzipSync(archive));
  const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
  files.set('manifest.json', Buffer.from(JSON.stringify(edit(manifest))));
  return gzipSync(writeTar([...files].map(([name, data]) => ({ name, data }))));
}

const face = (embedding: Float32Array, ref = 'x.jpg') => ({ embedding, crop: Buffer.from([0xff, 0xd8, 0xff]), source: 'photo' as const, sourceRef: ref, box: null });

function refusal(work: () => unknown): RegistryError {
  try {
    work();
  } catch (err) {
    expect(err).toBeInstanceOf(RegistryError);
    return err as RegistryError;
  }
  throw new Error('expected a refusal');
}

async function refusalOf(work: () => Promise<unknown>): Promise<RegistryError> {
  const err = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RegistryError);
  return err as RegistryError;
}

describe('FaceRegistry', () => {
  it('matches at or above the threshold and calls anything below a stranger', () => {
    const { registry } = registryIn();
    const ada = randomEmbedding(1);
    registry.enrol('Ada', [face(ada)]);
    expect(registry.match(near(ada, registry.threshold + 0.02, 2))).toMatchObject({ name: 'Ada' });
    expect(registry.match(near(ada, registry.threshold - 0.05, 3))).toBeNull();
    expect(registry.nearest(near(ada, 0.3, 4))?.name).toBe('Ada');
  });

  it('refuses a sample that matches another person, naming them, unless forced', () => {
    const { registry } = registryIn();
    const ada = randomEmbedding(1);
    registry.enrol('Ada', [face(ada)]);
    const err = refusal(() => registry.enrol('Bob', [face(near(ada, 0.75, 5), 'bob.jpg')]));
    expect(err.code).toBe('duplicate');
    expect(err.message).toMatch(/bob\.jpg looks like "Ada" \(similarity 0\.750/);
    expect(registry.list()).toHaveLength(1);
    // The same person may have similar samples; force overrides the check for another.
    expect(registry.enrol('Ada', [face(near(ada, 0.75, 6))]).created).toBe(false);
    expect(registry.enrol('Bob', [face(near(ada, 0.75, 5))], { force: true }).created).toBe(true);
  });

  it('says how like the person’s other photos each added one is: under the threshold it goes in, to be doubted', () => {
    const { registry } = registryIn();
    const ada = randomEmbedding(1);
    expect(registry.enrol('Ada', [face(ada)]).samples[0].likeness).toBeNull(); // a first photo has nothing to be like
    const [like] = registry.enrol('Ada', [face(near(ada, 0.85, 7))]).samples;
    expect(like.likeness).toBeCloseTo(0.85, 2);
    // 0.6: over the 0.5 that refuses, under the threshold faces are named from (the helper's Bush in Hugo Chavez)
    const [doubtful] = registry.enrol('Ada', [face(near(ada, 0.6, 8))]).samples;
    expect(doubtful.likeness).toBeCloseTo(0.6, 2);
    expect(doubtful.likeness!).toBeLessThan(registry.threshold);
  });

  it('refuses bad names and embeddings of another size', () => {
    const { registry } = registryIn();
    expect(refusal(() => registry.enrol('../etc', [face(randomEmbedding(1))])).code).toBe('invalid_name');
    expect(refusal(() => registry.enrol('export', [face(randomEmbedding(1))])).code).toBe('invalid_name');
    registry.enrol('Ada', [face(randomEmbedding(1))]);
    expect(refusal(() => registry.enrol('Bob', [face(randomEmbedding(2, 192))])).code).toBe('wrong_embedding');
  });

  it('renames, refuses a name already taken, deletes samples and people, and matching follows', () => {
    const { registry } = registryIn();
    const ada = randomEmbedding(1);
    const bob = randomEmbedding(2);
    const [first] = registry.enrol('Ada', [face(ada), face(randomEmbedding(3))]).samples;
    registry.enrol('Bob', [face(bob)]);
    registry.update('Ada', { name: 'Ada Lovelace', externalId: 'person.ada' });
    expect(registry.match(ada)?.name).toBe('Ada Lovelace');
    expect(refusal(() => registry.update('Bob', { name: 'ada lovelace' })).code).toBe('name_taken');
    expect(refusal(() => registry.update('Bob', { externalId: 'person.ada' })).code).toBe('name_taken');
    registry.removeSample('Ada Lovelace', first.id);
    expect(registry.match(ada)).toBeNull();
    expect(registry.person('Ada Lovelace').samples).toHaveLength(1);
    expect(refusal(() => registry.removeSample('Bob', first.id)).code).toBe('sample_not_found');
    registry.removePerson('Bob');
    expect(registry.match(bob)).toBeNull();
    expect(refusal(() => registry.removePerson('Bob')).code).toBe('person_not_found');
    expect(registry.list().map((p) => [p.name, p.externalId, p.samples])).toEqual([['Ada Lovelace', 'person.ada', 1]]);
  });

  it('sees enrolments another process commits to the same database', () => {
    const { registry, dir } = registryIn();
    const other = registryIn(dir).registry;
    const ada = randomEmbedding(1);
    other.enrol('Ada', [face(ada)]);
    expect(registry.match(ada)?.name).toBe('Ada');
    other.removePerson('Ada');
    expect(registry.match(ada)).toBeNull();
  });

  it('says what another process changed (argus faces beside a running Argus) within watchMs, without a match first', async () => {
    const changes: number[] = [];
    const { registry, dir } = registryIn(undefined, { watchMs: 20, onChange: ({ people }) => changes.push(people) });
    const other = registryIn(dir).registry;
    try {
      other.enrol('Ada', [face(randomEmbedding(1))]);
      await vi.waitFor(() => expect(changes).toEqual([1]));
      other.removePerson('Ada');
      await vi.waitFor(() => expect(changes).toEqual([1, 0]));
    } finally {
      registry.stop();
    }
  });

  it('exports an archive that tar reads and that imports back identically', async () => {
    const { registry, dir } = registryIn();
    const ada = randomEmbedding(1);
    registry.enrol('Ada', [face(ada, 'a.jpg'), face(randomEmbedding(2), 'b.jpg')], { externalId: 'person.ada' });
    registry.enrol('Bob', [{ ...face(randomEmbedding(3)), crop: null }]);
    const archive = registry.exportArchive();
    const file = join(dir, 'export.tar.gz');
    writeFileSync(file, archive);
    expect(execFileSync('tar', ['tzf', file], { encoding: 'utf8' }).trim().split('\n').sort()).toEqual(['crops/0.jpg', 'crops/1.jpg', 'embeddings.f32', 'manifest.json']);

    const target = registryIn().registry;
    target.enrol('Someone', [face(randomEmbedding(9))]);
    const result = await target.importArchive(archive);
    expect(result).toMatchObject({ people: 2, samples: 3 });
    expect(result.backup).toMatch(/registry-.*\.tar\.gz$/);
    expect(target.list().map((p) => [p.name, p.externalId, p.samples])).toEqual([
      ['Ada', 'person.ada', 2],
      ['Bob', null, 1],
    ]);
    expect(target.match(ada)).toMatchObject({ name: 'Ada' });
    expect(target.match(ada)!.similarity).toBeCloseTo(1, 6);
    expect(target.match(randomEmbedding(9))).toBeNull();
    expect(target.person('Ada').samples.map((s) => s.sourceRef)).toEqual(['a.jpg', 'b.jpg']);
  });

  it('keeps each person’s id through an export imported again, gaps and all (HA’s person entities are keyed by it)', async () => {
    const { registry } = registryIn();
    for (const [i, name] of ['Ada', 'Bob', 'Cy'].entries()) registry.enrol(name, [face(randomEmbedding(10 + i))]);
    registry.removePerson('Ada');
    const ids = () => registry.list().map((p) => [p.name, p.id]);
    const before = ids();
    expect(before.map(([, id]) => id)).not.toContain(1);
    await registry.importArchive(registry.exportArchive());
    expect(ids()).toEqual(before);
    // an archive from before ids were kept (none in its manifest) still imports, with new ids
    const target = registryIn().registry;
    const idless = await repack(registry.exportArchive(), (m) => ({ ...m, people: m.people.map(({ id: _id, ...p }) => p) }));
    expect((await target.importArchive(idless)).people).toBe(2);
    expect(target.list().map((p) => p.name)).toEqual(['Bob', 'Cy']);
    // restored into the registry it came from (an upgrade's old backup): everyone keeps the id they have now
    await registry.importArchive(idless);
    expect(ids()).toEqual(before);
  });

  it('refuses a bad archive and changes nothing', async () => {
    const { registry } = registryIn();
    registry.enrol('Ada', [face(randomEmbedding(1))]);
    const good = registry.exportArchive();
    const manifest = (m: unknown) =>
      gzipSync(
        writeTar([
          { name: 'manifest.json', data: Buffer.from(JSON.stringify(m)) },
          { name: 'embeddings.f32', data: Buffer.alloc(8) },
        ]),
      );
    const bad: [string, Buffer, RegExp][] = [
      ['garbage', Buffer.from('not an archive'), /not a gzipped tar/],
      ['cut short', good.subarray(0, Math.floor(good.length / 2)), /not a gzipped tar/],
      ['foreign manifest', manifest({ hello: 1 }), /manifest\.json/],
      [
        'embedding past the end',
        manifest({
          format: 'argus-face-registry',
          version: 1,
          exported_at: 'x',
          people: [
            {
              name: 'Eve',
              external_id: null,
              created_at: 1,
              updated_at: 1,
              samples: [{ model: 'faceres', offset: 0, dims: 1024, crop: null, source: 'photo', source_ref: null, box: null, created_at: 1 }],
            },
          ],
        }),
        /past the end/,
      ],
      [
        'an id twice',
        manifest({
          format: 'argus-face-registry',
          version: 1,
          exported_at: 'x',
          people: ['Eve', 'Fay'].map((name) => ({ id: 3, name, external_id: null, created_at: 1, updated_at: 1, samples: [] })),
        }),
        /the id 3 appears twice/,
      ],
      [
        'bad name',
        manifest({ format: 'argus-face-registry', version: 1, exported_at: 'x', people: [{ name: '../x', external_id: null, created_at: 1, updated_at: 1, samples: [] }] }),
        /cannot be a person's name/,
      ],
    ];
    // Crafted from the good export (a user pass): each would have been imported, then blocked every enrolment or served a page as a JPEG.
    const sample = (m: { people: Array<Record<string, unknown>> }) => (m.people[0].samples as Array<Record<string, unknown>>)[0];
    const files = readTar(gunzipSync(good));
    const withFile = (name: string, data: Buffer) => gzipSync(writeTar([...files].map(([n, d]) => ({ name: n, data: n === name ? data : d }))));
    bad.push(
      [
        'an embedding of the wrong size',
        await repack(good, (m) => {
          sample(m).dims = 3;
          return m;
        }),
        /has 3 values; faceres embeddings have 1024/,
      ],
      ['an embedding that is not numbers', withFile('embeddings.f32', Buffer.from(new Float32Array(1024).fill(Number.NaN).buffer)), /not numbers/],
      ['a crop that is not a JPEG', withFile('crops/0.jpg', Buffer.from('<html><script>alert(1)</script></html>')), /crops\/0\.jpg .* is not a JPEG/],
    );
    for (const [what, archive, why] of bad) {
      const err = await refusalOf(() => registry.importArchive(archive));
      expect(err.code, what).toBe('bad_archive');
      expect(err.message, what).toMatch(why);
      expect(err.message, what).toContain('nothing was changed');
    }
    expect(registry.list().map((p) => [p.name, p.samples])).toEqual([['Ada', 1]]);
  });

  it('backs up after changes settle, keeps the newest few, and restores one', async () => {
    const { registry, dir } = registryIn();
    const backups = () =>
      readdirSync(join(dir, 'backups'))
        .filter((f) => f.endsWith('.tar.gz'))
        .sort();
    const settle = () => new Promise((r) => setTimeout(r, 30));
    registry.enrol('Ada', [face(randomEmbedding(1))]);
    registry.enrol('Bob', [face(randomEmbedding(2))]);
    await settle();
    expect(backups()).toHaveLength(1); // two changes in a burst, one backup
    const withAdaAndBob = join(dir, 'backups', backups()[0]);
    for (let i = 3; i < 7; i++) {
      registry.enrol(`P${i}`, [face(randomEmbedding(i))]);
      await settle();
    }
    expect(backups()).toHaveLength(3);
    expect(registry.listBackups().map((b) => b.file)).toEqual([...backups()].reverse());
    // each says who it holds, without being unpacked; a rotated-out one leaves nothing beside it
    expect(registry.listBackups()[0].people).toEqual(['Ada', 'Bob', 'P3', 'P4', 'P5', 'P6'].map((name) => ({ name, samples: 1 })));
    expect(registry.listBackups()[2].people?.map((p) => p.name)).toEqual(['Ada', 'Bob', 'P3', 'P4']);
    expect(readdirSync(join(dir, 'backups')).filter((f) => f.endsWith('.people.json'))).toHaveLength(3);
    // The oldest were rotated out; restore the newest that still holds only some of them.
    const oldest = join(dir, 'backups', backups()[0]);
    expect(readFileSync(oldest).length).toBeGreaterThan(0);
    expect(() => readFileSync(withAdaAndBob)).toThrow(/ENOENT/);
    // by the name `argus faces backups` lists (a path works too: the CLI's test restores an export)
    const restored = await registry.restore(backups()[0]);
    expect(restored.people).toBe(4);
    expect(registry.list().map((p) => p.name)).toEqual(['Ada', 'Bob', 'P3', 'P4']);
    const missing = await refusalOf(() => registry.restore(join(dir, 'nope.tar.gz')));
    expect([missing.code, missing.message]).toEqual([
      'bad_archive',
      `cannot read ${join(dir, 'nope.tar.gz')}: no such file, nor a backup of that name (argus faces backups lists them)`,
    ]);
  });

  it('writes a pending backup on stop', () => {
    const dir = mkdtempSync(join(tmpdir(), 'argus-registry-'));
    const { registry } = registryIn(dir, { config: registryConfigSchema.parse({ backups: { keep: 2, delay: 3600 } }) });
    registry.enrol('Ada', [face(randomEmbedding(1))]);
    expect(registry.listBackups()).toHaveLength(0);
    registry.stop();
    expect(registry.listBackups()).toHaveLength(1);
  });
});

describe('openFaceMatcher', () => {
  it('matches from a data folder’s registry, and is null where nobody is enrolled or there is no database', () => {
    const { registry, dir } = registryIn();
    expect(openFaceMatcher({ dataDir: dir, model: 'faceres', logger: silentLogger() })).toBeNull();
    const ada = randomEmbedding(1);
    registry.enrol('Ada', [face(ada)]);
    const matcher = openFaceMatcher({ dataDir: dir, model: 'faceres', logger: silentLogger() })!;
    expect(matcher.match(near(ada, 0.8, 2))?.name).toBe('Ada');
    expect(matcher.match(randomEmbedding(3))).toBeNull();
    matcher.close();
    // Embeddings of another model are never compared.
    expect(openFaceMatcher({ dataDir: dir, model: 'mobilefacenet', logger: silentLogger() })).toBeNull();
    const empty = mkdtempSync(join(tmpdir(), 'argus-none-'));
    expect(openFaceMatcher({ dataDir: empty, model: 'faceres', logger: silentLogger() })).toBeNull();
    expect(readdirSync(empty)).toEqual([]);
  });
});

describe('adding a face to someone enrolled', () => {
  it('takes a face like theirs, refuses one unlike all of their photos unless forced, and a photo they already have', () => {
    const { registry } = registryIn();
    const e = randomEmbedding(531);
    registry.enrol('alice', [face(e, 'a.jpg')]);
    registry.enrol('alice', [face(near(e, 0.8, 532), 'b.jpg')]); // another photo of her: 0.8 alike
    const stranger = randomEmbedding(533); // about 0 alike: someone else, named alice by mistake
    const unlike = refusal(() => registry.enrol('alice', [face(stranger, 'c.jpg')]));
    expect(unlike.code).toBe('unlike');
    expect(unlike.message).toMatch(/c\.jpg does not look like "alice"'s other photos \(similarity -?0\.\d{3}, under 0\.5\)/);
    expect(unlike.details).toMatchObject({ person: 'alice' });
    expect(registry.person('alice').samples).toHaveLength(2);
    registry.enrol('alice', [face(stranger, 'c.jpg')], { force: true });
    expect(registry.person('alice').samples).toHaveLength(3);
    // the same photo again: refused, forced or not
    for (const force of [false, true]) expect(refusal(() => registry.enrol('alice', [face(e, 'a-again.jpg')], { force })).code).toBe('same_photo');
    expect(registry.person('alice').samples).toHaveLength(3);
  });
});

describe('merging two people', () => {
  it('moves every sample of one into the other and deletes the first; the matcher names the merged person', () => {
    const { registry } = registryIn();
    const e = randomEmbedding(501);
    registry.enrol('alice', [face(near(e, 0.9, 502))]);
    registry.enrol('ally', [face(near(e, 0.9, 503), 'y.jpg')], { force: true });
    const { person, moved } = registry.merge('ally', 'alice');
    expect(moved).toBe(1);
    expect(person.name).toBe('alice');
    expect(registry.list().map((p) => [p.name, p.samples])).toEqual([['alice', 2]]);
    expect(registry.match(near(e, 0.9, 504))?.name).toBe('alice');
  });

  it('hands a rename and a merge on, so past events follow the name; a refused one hands on nothing', () => {
    const renames: string[] = [];
    const { registry } = registryIn(undefined, { onRenamed: (from, to) => renames.push(`${from}→${to}`) });
    const alice = randomEmbedding(521);
    registry.enrol('alice', [face(alice)]);
    registry.enrol('ally', [face(near(alice, 0.6, 522), 'y.jpg')]); // her, in other light: under the threshold, over the likeness net
    registry.update('alice', { name: 'Alice Smith' });
    registry.update('Alice Smith', { externalId: 'person.alice' }); // the name unchanged
    registry.merge('ally', 'Alice Smith');
    expect(() => registry.update('Alice Smith', { name: 'bob' })).not.toThrow();
    registry.enrol('carol', [face(randomEmbedding(523), 'z.jpg')]);
    expect(refusal(() => registry.update('carol', { name: 'bob' })).code).toBe('name_taken');
    expect(renames).toEqual(['alice→Alice Smith', 'ally→Alice Smith', 'Alice Smith→bob']);
  });

  it('refuses to merge two who look nothing alike unless forced, saying how alike they are', () => {
    const { registry } = registryIn();
    registry.enrol('ariel', [face(randomEmbedding(541)), face(randomEmbedding(542))]);
    registry.enrol('tony', [face(randomEmbedding(543))]);
    const unlike = refusal(() => registry.merge('ariel', 'tony'));
    expect(unlike.code).toBe('unlike');
    expect(unlike.message).toMatch(/^"ariel" and "tony" look nothing alike \(their closest photos -?\d+ % similar, under 50 %\): check they are one person, or pass force/);
    expect(registry.list().map((p) => [p.name, p.samples])).toEqual([
      ['ariel', 2],
      ['tony', 1],
    ]);
    expect(registry.merge('ariel', 'tony', { force: true }).moved).toBe(2);
  });

  it('refuses to merge a person into themselves or into nobody, changing nothing', () => {
    const { registry } = registryIn();
    registry.enrol('alice', [face(randomEmbedding(511))]);
    expect(refusal(() => registry.merge('alice', 'Alice')).code).toBe('same_person');
    expect(refusal(() => registry.merge('alice', 'bob')).code).toBe('person_not_found');
    expect(registry.list().map((p) => [p.name, p.samples])).toEqual([['alice', 1]]);
  });
});
