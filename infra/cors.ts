/**
 * Which shop pages on other sites may place orders from a browser, defined once for the HTTP API's CORS
 * configuration and the local API Gateway emulator. Only POST /order is meant for them; the link pages are
 * served by the API itself and post to their own origin.
 */
export const shopCors = {
  allowMethods: ['POST'],
  /** What a storefront's fetch sends: JSON, and the key that makes a retried order safe. */
  allowHeaders: ['content-type', 'idempotency-key'],
  /** Browsers cap this themselves (Chromium at 2 hours); an hour saves a preflight per order. */
  maxAgeSeconds: 3600,
} as const;

const origin = /^https:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;
const localOrigin = /^http:\/\/(localhost|127\.0\.0\.1)(:\d{1,5})?$/;

/**
 * The `shopOrigins` setting as a list, each entry checked: a browser sends `scheme://host[:port]` and nothing
 * else, so anything more would never match, and "*" would let any site place orders in a customer's name.
 */
export function shopOrigins(setting: string): string[] {
  const origins = setting
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of origins) {
    if (!origin.test(entry) && !localOrigin.test(entry)) {
      throw new Error(
        `Setting cakeShop.shopOrigins: ${JSON.stringify(entry)} is not a shop origin. Write https://host[:port] in ` +
          'lower case with no path or trailing slash, e.g. "https://shop.example.com" (http only for localhost), ' +
          'and separate several with commas; "*" is not allowed.',
      );
    }
  }
  return origins;
}
