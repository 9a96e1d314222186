/** esbuild bundles CSS imported from the entry into the build's stylesheet. */
declare module '*.css';
