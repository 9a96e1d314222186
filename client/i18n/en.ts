/**
 * English messages: the reference catalog. Its type is `Catalog`, so every
 * other language must have exactly these keys, with the same parameters,
 * or TypeScript fails the build. It comes in two parts, so the first load
 * carries only the welcome path's (en-core.ts) and the pages' part
 * (en-pages.ts) comes with the first lazy page (client/i18n/locale.ts).
 */
import { enCore } from './en-core.ts';
import { enPages } from './en-pages.ts';

export const en = { ...enCore, ...enPages };

/** The shape every catalog has: the English one's keys and parameters. */
export type Catalog = typeof en;
