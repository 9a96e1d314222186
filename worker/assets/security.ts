/**
 * Security headers: those of HTML pages, and those of every answer. The page
 * loads only our own hashed script and stylesheet, so the policy can forbid
 * inline script outright.
 */
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers every HTML answer carries. */
export const pageSecurityHeaders: Record<string, string> = {
  'Content-Security-Policy': CSP,
  'X-Frame-Options': 'DENY',
};

/**
 * Headers every answer carries, HTML or not: nosniff, our referrer policy,
 * and `Strict-Transport-Security` (Hono's 180 days with subdomains), so a
 * browser that once reached us over https never tries http again. Browsers
 * ignore HSTS from http and from IP addresses, so `wrangler dev` on
 * http://127.0.0.1 is unaffected. Hono's other defaults stay off: the pages
 * get their framing rule and CSP from pageSecurityHeaders.
 */
export const commonSecurityHeaders = secureHeaders({
  strictTransportSecurity: true,
  xContentTypeOptions: true,
  referrerPolicy: 'strict-origin-when-cross-origin',
  crossOriginResourcePolicy: false,
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
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
