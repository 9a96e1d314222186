/**
 * Security headers, set by Hono's `secureHeaders`: those of HTML pages, and
 * those of every answer. The page loads only our own hashed script and
 * stylesheet, so the policy can forbid inline script outright.
 */
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/** Hono's defaults, all off: each middleware below turns on only the headers it is for. */
const NONE = {
  crossOriginResourcePolicy: false,
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  referrerPolicy: false,
  strictTransportSecurity: false,
  xContentTypeOptions: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
} as const;

/** The CSP and framing rule of every HTML answer: put on the routes that answer pages. */
export const pageSecurityHeaders = secureHeaders({
  ...NONE,
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: 'DENY',
});

/**
 * Headers every answer carries, HTML or not: nosniff, our referrer policy,
 * and `Strict-Transport-Security` (Hono's 180 days with subdomains), so a
 * browser that once reached us over https never tries http again. Browsers
 * ignore HSTS from http and from IP addresses, so `wrangler dev` on
 * http://127.0.0.1 is unaffected. The pages get their framing rule and CSP
 * from pageSecurityHeaders.
 */
export const commonSecurityHeaders = secureHeaders({
  ...NONE,
  strictTransportSecurity: true,
  xContentTypeOptions: true,
  referrerPolicy: 'strict-origin-when-cross-origin',
});

/**
 * `Cache-Control: no-store` on every API answer that does not set its own:
 * they are personal (a learner's studies, records, room) or live, and may
 * carry a renewed token, so no browser or proxy may keep one.
 */
export const apiNoStore: MiddlewareHandler = async (c, next) => {
  await next();
  if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
};
