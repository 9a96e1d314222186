/** Korean messages. Typed as `Catalog`, so a key English has and Korean lacks fails the build. */
import type { Catalog } from './en.ts';
import { koCore } from './ko-core.ts';
import { koPages } from './ko-pages.ts';

export const ko: Catalog = { ...koCore, ...koPages };
