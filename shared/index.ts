/**
 * The shared pure module: domain rules and wire schemas imported by both the
 * worker and the client. No Worker, DOM or storage API may appear here.
 */

export * from './api.ts';
export * from './assets.ts';
export * from './compat.ts';
export * from './domain.ts';
export * from './nickname.ts';
export * from './nickname-refusals.ts';
export * from './room.ts';
export * from './schemas.ts';
export * from './telemetry.ts';
