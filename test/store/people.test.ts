import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { PeopleStore, type NewSample } from '../../src/store/people.js';

function fresh() {
  const path = join(mkdtempSync(join(tmpdir(), 'argus-people-')), 'argus.db');
  const db = openDatabase(path);
  return { db, path, store: new PeopleStore(db) };
}

const sample = (values: number[], crop: Buffer | null = null): NewSample => ({
  model: 'faceres',
  embedding: new Float32Array(values),
  crop,
  source: 'photo',
  sourceRef: 'a.jpg',
  box: [1, 2, 30, 40],
  createdAt: 1000,
});

describe('PeopleStore', () => {
  it('stores embeddings bit for bit, with their crop, box and source', () => {
    const { store, db } = fresh();
    const p = store.createPerson('Ada', null, 1);
    const values = [0.1, -0.2, 1e-7, 3.4028234663852886e38];
    const id = store.addSample(p.id, sample(values, Buffer.from([0xff, 0xd8, 1])));
    const s = store.sample(id)!;
    expect(Array.from(s.embedding)).toEqual(Array.from(new Float32Array(values)));
    expect(s).toMatchObject({ personId: p.id, model: 'faceres', source: 'photo', sourceRef: 'a.jpg', box: [1, 2, 30, 40], crop: Buffer.from([0xff, 0xd8, 1]) });
    db.close();
  });

  it('treats names as one person whatever their case', () => {
    const { store, db } = fresh();
    store.createPerson('Ada', null, 1);
    expect(() => store.createPerson('ada', null, 1)).toThrow(/UNIQUE/);
    expect(store.byName('ADA')?.name).toBe('Ada');
    db.close();
  });

  it('never gives an id twice, even after the newest person was deleted (HA entities are keyed by it)', () => {
    const { store, db, path } = fresh();
    const ada = store.createPerson('Ada', null, 1);
    const bob = store.createPerson('Bob', null, 1);
    store.deletePerson(bob.id);
    const cy = store.createPerson('Cy', null, 1);
    expect([ada.id, bob.id, cy.id]).toEqual([1, 2, 3]);
    // an import puts people back with their ids; the next new one comes after the highest
    store.deleteAll();
    store.createPerson('Zed', null, 1, 7);
    expect(store.createPerson('Dee', null, 1).id).toBe(8);
    db.close();
    // …and the highest given is kept across a restart
    const again = openDatabase(path);
    const reopened = new PeopleStore(again);
    reopened.deletePerson(8);
    expect(reopened.createPerson('Eve', null, 1).id).toBe(9);
    again.close();
  });

  it('deletes a person’s samples with the person', () => {
    const { store, db } = fresh();
    const a = store.createPerson('Ada', null, 1);
    const b = store.createPerson('Bob', 'person.bob', 1);
    store.addSample(a.id, sample([1, 0]));
    store.addSample(a.id, sample([0, 1]));
    const kept = store.addSample(b.id, sample([1, 1]));
    store.deletePerson(a.id);
    expect([...store.embeddings()].map((s) => s.id)).toEqual([kept]);
    expect(store.counts()).toEqual({ people: 1, samples: 1 });
    db.close();
  });

  it('lists people with sample counts and the newest crop as thumbnail', () => {
    const { store, db } = fresh();
    const a = store.createPerson('Zed', null, 1);
    store.createPerson('Ada', null, 1);
    store.addSample(a.id, sample([1, 0], Buffer.from('old')));
    const newest = store.addSample(a.id, sample([1, 0], Buffer.from('new')));
    store.addSample(a.id, sample([1, 0]));
    expect(store.list().map((p) => [p.name, p.samples, p.thumbnailSampleId])).toEqual([
      ['Ada', 0, null],
      ['Zed', 3, newest],
    ]);
    db.close();
  });

  it('rolls a failed transaction back whole', () => {
    const { store, db } = fresh();
    expect(() =>
      store.transaction(() => {
        const p = store.createPerson('Ada', null, 1);
        store.addSample(p.id, sample([1]));
        throw new Error('crash half-way');
      }),
    ).toThrow('crash half-way');
    expect(store.counts()).toEqual({ people: 0, samples: 0 });
    db.close();
  });

  it('sees another connection’s commit through data_version, and its own not', () => {
    const { store, db, path } = fresh();
    const before = store.dataVersion();
    store.createPerson('Ada', null, 1);
    expect(store.dataVersion()).toBe(before);
    const other = openDatabase(path);
    new PeopleStore(other).createPerson('Bob', null, 1);
    other.close();
    expect(store.dataVersion()).not.toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(true);
    db.close();
  });
});
