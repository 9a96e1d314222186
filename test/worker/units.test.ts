/**
 * Unit tests of the pure rules: the compat arithmetic both sides share
 * (shared/compat.ts) and the If-None-Match comparison (worker/assets/conditional.ts).
 */
import { describe, expect, it } from 'vitest';
import { ASSET_PATH, contentTypeOf } from '../../shared/assets.ts';
import {
  API_LEVEL,
  apiRangeFor,
  BUILD_ID,
  checkLevel,
  formatRange,
  parseApiHeader,
  parseRange,
  subprotocolFor,
} from '../../shared/compat.ts';
import { notModified } from '../../worker/assets/conditional.ts';

describe('apiRangeFor', () => {
  it.each([
    [1, { min: 1, max: 1 }],
    [2, { min: 1, max: 2 }],
    [3, { min: 2, max: 3 }],
    [10, { min: 9, max: 10 }],
  ])('level %i serves %o (its own and the previous, never below 1)', (level, range) => {
    expect(apiRangeFor(level)).toEqual(range);
  });

  it('covers the source tree level', () => {
    expect(checkLevel(API_LEVEL, apiRangeFor(API_LEVEL))).toBeNull();
  });
});

describe('formatRange / parseRange', () => {
  it.each([1, 2, 3, 42, 9999])('round-trips the range of level %i', (level) => {
    const range = apiRangeFor(level);
    expect(parseRange(formatRange(range))).toEqual(range);
  });

  it('formats as min-max', () => {
    expect(formatRange({ min: 2, max: 3 })).toBe('2-3');
  });

  it.each([null, '', '1', '1-', '-1', '2-1', 'a-b', '1-2-3', ' 1-2', '1 - 2', '12345-12346', '1.0-2'])(
    'rejects %j',
    (raw) => {
      expect(parseRange(raw)).toBeNull();
    },
  );

  it('accepts a single-level range', () => {
    expect(parseRange('4-4')).toEqual({ min: 4, max: 4 });
  });
});

describe('checkLevel', () => {
  const range = { min: 2, max: 3 };
  it.each([
    [1, 'client_outdated'],
    [2, null],
    [3, null],
    [4, 'client_too_new'],
  ])('level %i against 2-3 is %s', (level, expected) => {
    expect(checkLevel(level, range)).toBe(expected);
  });
});

describe('parseApiHeader', () => {
  it('reads a missing header as "current level"', () => {
    expect(parseApiHeader(null)).toEqual({ ok: true, level: null });
  });

  it.each([
    ['1', 1],
    ['0', 0],
    ['42', 42],
    [' 2 ', 2],
    ['0003', 3],
  ])('reads %j as level %i', (raw, level) => {
    expect(parseApiHeader(raw)).toEqual({ ok: true, level });
  });

  it.each(['', ' ', 'abc', '1.5', '-1', '+1', '1e2', '0x1', '12345', '1,2', '١'])('rejects %j', (raw) => {
    expect(parseApiHeader(raw)).toEqual({ ok: false });
  });
});

describe('BUILD_ID and subprotocolFor', () => {
  it.each(['09f8230137418abc', '1.0.0-ab12cd3', 'a', 'A_b.c-d', 'a'.repeat(64)])('accepts build id %s', (id) => {
    expect(BUILD_ID.test(id)).toBe(true);
  });

  it.each(['', 'a'.repeat(65), '-a', '.a', '_a', 'a b', 'a/b', 'a!'])('rejects build id %j', (id) => {
    expect(BUILD_ID.test(id)).toBe(false);
  });

  it('names the socket subprotocol haru.<level>', () => {
    expect(subprotocolFor(2)).toBe('haru.2');
  });
});

describe('ASSET_PATH and contentTypeOf', () => {
  it.each([
    '/assets/main-JKFPPCF2.js',
    '/assets/chunk-2BSV7I4I.js',
    '/assets/main-5GVPBRGM.css',
    '/assets/font.latin-ABCDEFGH.woff2',
    '/assets/icon-192-0123456789ab.png',
    '/assets/manifest-0123456789ab.webmanifest',
  ])('accepts %s', (path) => {
    expect(ASSET_PATH.test(path)).toBe(true);
  });

  it.each([
    '/assets/main.js',
    '/assets/main-ABC.js',
    '/assets/../main-ABCDEFGH.js',
    '/assets/a/main-ABCDEFGH.js',
    '/assets/a%2Fmain-ABCDEFGH.js',
    '/assets/main-ABCDEFGH.html',
    '/assets/main-ABCDEFGH.js?x',
    '/other/main-ABCDEFGH.js',
  ])('rejects %s', (path) => {
    expect(ASSET_PATH.test(path)).toBe(false);
  });

  it.each([
    ['assets/a-ABCDEFGH.js', 'text/javascript; charset=utf-8'],
    ['assets/a-ABCDEFGH.css', 'text/css; charset=utf-8'],
    ['assets/a-ABCDEFGH.svg', 'image/svg+xml'],
    ['assets/a-ABCDEFGH.png', 'image/png'],
    ['assets/manifest-ABCDEFGH.webmanifest', 'application/manifest+json; charset=utf-8'],
    ['index.html', 'text/html; charset=utf-8'],
    ['assets/a-ABCDEFGH.exe', 'application/octet-stream'],
  ])('types %s as %s', (path, type) => {
    expect(contentTypeOf(path)).toBe(type);
  });
});

describe('notModified', () => {
  const etag = '"0123456789abcdef0123456789abcdef"';
  it.each([
    [etag, true],
    [`W/${etag}`, true],
    [`"aaaa", ${etag}`, true],
    [`"aaaa",W/${etag} ,"bbbb"`, true],
    ['*', true],
    [` * `, true],
    ['"aaaa"', false],
    ['"aaaa", "bbbb"', false],
    ['0123456789abcdef0123456789abcdef', false],
    [`${etag.slice(0, -2)}"`, false],
    ['', false],
    [undefined, false],
  ])('If-None-Match %j -> %s', (header, expected) => {
    expect(notModified(header, etag)).toBe(expected);
  });

  it('compares a weak stored tag weakly too', () => {
    expect(notModified('"x"', 'W/"x"')).toBe(true);
  });
});
