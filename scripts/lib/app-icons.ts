/**
 * The app's icon and web app manifest, made at build time (no image files to
 * keep in step by hand): one drawing, a sun rising over the horizon ("haru" is
 * "a day"), written as SVG for the favicon and painted into PNGs for the
 * manifest and home screens that want bitmaps. Every file is content-hashed
 * like the bundle's, and the manifest names the icons by their hashed paths.
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

/** The page's colours (client/styles.css): the icon is the accent, the manifest the page. */
const ACCENT = '#b3471d';
const PAPER = '#fbf8f3';
const SUN = '#fff4e8';

/**
 * The drawing on a 512 x 512 square. The shapes stay inside the central 80%
 * circle, so a launcher may crop the square to any mask ("maskable").
 */
const SIZE = 512;
/** The sun: the upper half of a disc whose centre sits just above the horizon. */
const sun = { cx: 256, cy: 318, r: 124 };
/** Round-ended strokes from (x1, y1) to (x2, y2), `r` thick on each side: the horizon and five rays. */
const strokes = [
  { x1: 120, y1: 370, x2: 392, y2: 370, r: 22 },
  ...[150, 120, 90, 60, 30].map((degrees) => {
    const [cos, sin] = [Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180)];
    const at = (radius: number) => [Math.round(sun.cx + radius * cos), Math.round(sun.cy - radius * sin)] as const;
    const [[x1, y1], [x2, y2]] = [at(152), at(186)];
    return { x1, y1, x2, y2, r: 12 };
  }),
];
/** Corner radius of the SVG's square; the PNGs fill the square, as maskable icons must. */
const CORNER = 112;

/** The icon as SVG: small and crisp at any size, so it is the favicon. */
export function iconSvg(): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${SIZE} ${SIZE}">`,
    `<rect width="${SIZE}" height="${SIZE}" rx="${CORNER}" fill="${ACCENT}"/>`,
    `<path d="M${sun.cx - sun.r} ${sun.cy}a${sun.r} ${sun.r} 0 0 1 ${2 * sun.r} 0z" fill="${SUN}"/>`,
    ...strokes.map(
      (l) =>
        `<line x1="${l.x1}" y1="${l.y1}" x2="${l.x2}" y2="${l.y2}" stroke="${SUN}" stroke-width="${2 * l.r}" stroke-linecap="round"/>`,
    ),
    '</svg>',
  ].join('');
}

const rgb = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];

/** Whether a point of the 512 square is on the sun or a stroke. */
function inShape(x: number, y: number): boolean {
  if (y <= sun.cy && (x - sun.cx) ** 2 + (y - sun.cy) ** 2 <= sun.r ** 2) return true;
  return strokes.some(({ x1, y1, x2, y2, r }) => {
    // Distance to the nearest point of the segment.
    const [dx, dy] = [x2 - x1, y2 - y1];
    const t = Math.min(1, Math.max(0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)));
    return (x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2 <= r * r;
  });
}

/** The icon as a `size` x `size` PNG (RGB, edges smoothed by 4 x 4 samples a pixel). */
export function iconPng(size: number): Uint8Array {
  const [back, fore] = [rgb(ACCENT), rgb(SUN)];
  const row = 1 + size * 3;
  const pixels = new Uint8Array(row * size);
  const scale = SIZE / size;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < 4; sy++)
        for (let sx = 0; sx < 4; sx++)
          if (inShape((px + (sx + 0.5) / 4) * scale, (py + (sy + 0.5) / 4) * scale)) hits++;
      const cover = hits / 16;
      // Each row starts with its filter byte, 0 (none).
      const at = py * row + 1 + px * 3;
      back.forEach((b, c) => {
        pixels[at + c] = Math.round(b + ((fore[c] as number) - b) * cover);
      });
    }
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, size);
  view.setUint32(4, size);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, truecolour, no interlace
  return concat([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels, { level: 9 })),
    chunk('IEND', new Uint8Array()),
  ]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** One PNG chunk: length, type, data, CRC-32 of type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const typed = concat([new TextEncoder().encode(type), data]);
  let crc = 0xffffffff;
  for (const byte of typed) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  const out = new Uint8Array(typed.length + 8);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(typed, 4);
  view.setUint32(typed.length + 4, (crc ^ 0xffffffff) >>> 0);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A file of the build named by its content, as `assets/<stem>-<hash>.<ext>`. */
export interface HashedFile {
  path: string;
  bytes: Uint8Array;
}

function hashed(stem: string, ext: string, bytes: Uint8Array): HashedFile {
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  return { path: `assets/${stem}-${hash}.${ext}`, bytes };
}

/** The app's icons and manifest, and which is which, for the page to link. */
export interface AppFiles {
  files: HashedFile[];
  /** Paths (`/assets/...`) the page links: the SVG favicon, the home screen PNG, the manifest. */
  icon: string;
  touchIcon: string;
  manifest: string;
}

/** Builds the icons and the manifest that names them; a change to either changes their names. */
export function appFiles(): AppFiles {
  const svg = hashed('icon', 'svg', new TextEncoder().encode(iconSvg()));
  const png192 = hashed('icon-192', 'png', iconPng(192));
  const png512 = hashed('icon-512', 'png', iconPng(512));
  const manifest = {
    name: 'Haru Study · 하루 스터디',
    short_name: 'Haru Study',
    description:
      'Plan, study, look back: one to eight focused cycles, alone or with friends. 계획하고, 공부하고, 돌아보세요.',
    lang: 'en',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    background_color: PAPER,
    theme_color: PAPER,
    icons: [
      { src: `/${svg.path}`, sizes: 'any', type: 'image/svg+xml' },
      { src: `/${png192.path}`, sizes: '192x192', type: 'image/png' },
      { src: `/${png512.path}`, sizes: '512x512', type: 'image/png' },
      { src: `/${png512.path}`, sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  };
  const file = hashed('manifest', 'webmanifest', new TextEncoder().encode(JSON.stringify(manifest)));
  return {
    files: [svg, png192, png512, file],
    icon: `/${svg.path}`,
    touchIcon: `/${png192.path}`,
    manifest: `/${file.path}`,
  };
}
