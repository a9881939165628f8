import { readConfig } from '../../functions/lib/config';

describe('readConfig', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('GIVEN a required variable is missing WHEN the config is read THEN the error names it', () => {
    process.env.CAKE_TEST_PRESENT = 'yes';
    delete process.env.CAKE_TEST_MISSING;

    expect(() => readConfig({ present: 'CAKE_TEST_PRESENT', missing: 'CAKE_TEST_MISSING' })).toThrow(
      'Missing environment variable: CAKE_TEST_MISSING',
    );
  });

  it('GIVEN an optional variable is unset WHEN the config is read THEN it reads as empty', () => {
    process.env.CAKE_TEST_PRESENT = 'yes';
    delete process.env.CAKE_TEST_WEBHOOK_URL;

    expect(readConfig({ present: 'CAKE_TEST_PRESENT' }, { webhookUrl: 'CAKE_TEST_WEBHOOK_URL' })).toEqual({ present: 'yes', webhookUrl: '' });
  });

  it('GIVEN no handler environment WHEN a handler module is imported THEN it fails fast naming the table variable', () => {
    delete process.env.ORDERS_TABLE_NAME;
    delete process.env.PUBLIC_BASE_URL;

    expect(() => jest.isolateModules(() => require('../../functions/get-order'))).toThrow(/ORDERS_TABLE_NAME, PUBLIC_BASE_URL/);
  });
});
