/**
 * The build this page belongs to, read from the meta tags the build wrote
 * into index.html (the bundle cannot know its own content-derived id).
 */
import { API_LEVEL } from '../shared/compat.ts';

function meta(name: string): string | null {
  return document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? null;
}

/** This page's build id and API level. */
export const buildInfo = {
  id: meta('haru-build') ?? 'unknown',
  apiLevel: Number(meta('haru-api') ?? API_LEVEL),
};
