import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, URL-safe: well above the 128 bits an unguessable link needs. */
export function newLinkCode(): { code: string; hash: string } {
  const code = randomBytes(32).toString('base64url');
  return { code, hash: hashLinkCode(code) };
}

export function hashLinkCode(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}

const codePattern = /^[A-Za-z0-9_-]{16,128}$/;

export function isWellFormedLinkCode(value: unknown): value is string {
  return typeof value === 'string' && codePattern.test(value);
}

/** Compares against every stored hash without stopping early, so timing says nothing about which one matched. */
export function matchesLinkCode(code: string, storedHashes: readonly string[] | undefined): boolean {
  const presented = Buffer.from(hashLinkCode(code), 'hex');
  let matched = false;
  for (const stored of storedHashes ?? []) {
    const candidate = Buffer.from(stored, 'hex');
    if (candidate.length === presented.length && timingSafeEqual(candidate, presented)) matched = true;
  }
  return matched;
}
