import { shopOrigins } from '../../infra/cors';

describe('the shopOrigins setting', () => {
  it('reads a comma-separated list of origins', () => {
    // GIVEN two origins with spaces around the comma, THEN both are allowed, in order
    expect(shopOrigins('https://shop.cake-shop-orders.net, https://www.cake-shop-orders.net:8443')).toEqual([
      'https://shop.cake-shop-orders.net',
      'https://www.cake-shop-orders.net:8443',
    ]);
  });

  it('allows no origin when empty', () => {
    // GIVEN the default, THEN no other site may call the API from a browser
    expect(shopOrigins('')).toEqual([]);
  });

  it('allows plain http only for a storefront on this machine', () => {
    // GIVEN a developer's storefront, THEN it is allowed over http
    expect(shopOrigins('http://localhost:5173')).toEqual(['http://localhost:5173']);
  });

  it.each([
    ['"*", which would let any site order in a customer\'s name', '*'],
    ['a trailing slash, which a browser never sends', 'https://shop.cake-shop-orders.net/'],
    ['a path', 'https://cake-shop-orders.net/shop'],
    ['plain http on the internet', 'http://shop.cake-shop-orders.net'],
    ['upper case, which never matches what a browser sends', 'https://Shop.cake-shop-orders.net'],
  ])('rejects %s, naming the setting and the entry', (_, entry) => {
    // GIVEN an entry a browser's Origin header can never equal, THEN reading the setting fails and says why
    expect(() => shopOrigins(`https://ok.cake-shop-orders.net,${entry}`)).toThrow(
      `Setting cakeShop.shopOrigins: ${JSON.stringify(entry)} is not a shop origin`,
    );
  });
});
