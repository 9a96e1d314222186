/**
 * Preloads a lazily loaded module with everything it imports, in parallel:
 * `import()` alone fetches the chunk and only then finds its imports. The
 * build writes each lazy module's files, by source path, into the page's
 * `haru-lazy` meta tag (scripts/lib/client-build.ts).
 */

let files: Record<string, string[]> | null = null;
const added = new Set<string>();

/** Adds a `<link rel="modulepreload">` for each file `source` (a path from the repository root) needs. */
export function preload(source: string): void {
  if (files === null) {
    try {
      files = JSON.parse(document.querySelector('meta[name="haru-lazy"]')?.getAttribute('content') ?? '{}');
    } catch {
      files = {};
    }
  }
  for (const href of files?.[source] ?? []) {
    if (added.has(href)) continue;
    added.add(href);
    const link = document.createElement('link');
    link.rel = 'modulepreload';
    link.href = href;
    document.head.append(link);
  }
}
