/** Where the repository is, for every script and script test: one place, so a move is one edit. */
import { resolve } from 'node:path';

/** The repository root, so scripts work from any working directory. */
export const ROOT = resolve(import.meta.dirname, '../..');
