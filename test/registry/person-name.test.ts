import { describe, expect, it } from 'vitest';
import { checkPersonName } from '../../src/registry/person-name.js';

describe('checkPersonName', () => {
  it('takes real names in any script, their combining marks included', () => {
    for (const name of ['José Álvarez', '李雷', 'Nguyễn Thị Ánh', 'สมชาย', 'अनिल कुमार', 'محمّد', "Zoë O'Brien", 'Anne-Marie St. John']) {
      expect(checkPersonName(name), name).toBe(name.normalize('NFC'));
    }
  });

  it("stores the apostrophe a phone types (’) as ', so O’Brien and O'Brien are one person", () => {
    expect(checkPersonName('Zoë O’Brien')).toBe("Zoë O'Brien");
  });

  it('refuses what would break a path, a page or the API, saying what is allowed', () => {
    for (const name of ['<b>x</b>', '../etc', 'a/b', '\u0301abc', 'x'.repeat(65), 'Mia 🌸']) {
      expect(() => checkPersonName(name), JSON.stringify(name)).toThrow(/cannot be a person's name: use 1 to 64 letters, numbers, spaces and - _ \. ' only/);
    }
    // nothing typed: asked for, with what a name may hold
    for (const name of ['', ' ']) expect(() => checkPersonName(name), JSON.stringify(name)).toThrow(/^Type a name: 1 to 64 letters, numbers, spaces and - _ \. ' only$/);
    expect(() => checkPersonName('Export')).toThrow(`"Export" cannot be a person's name: Argus uses that word itself; pick another`);
  });
});
