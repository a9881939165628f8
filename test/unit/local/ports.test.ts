import { resolvePorts } from '../../../infra/local/ports';

describe('resolvePorts', () => {
  test('uses the documented default ports when nothing is set', () => {
    // GIVEN an environment with no port variables
    // WHEN the ports are resolved
    const ports = resolvePorts({});

    // THEN each service gets its default
    expect(ports).toEqual({ shop: 3000, dynamodb: 8000, email: 8005, stepFunctions: 8083 });
  });

  test('moves a port with its variable', () => {
    // GIVEN SHOP_PORT set
    // WHEN the ports are resolved
    const ports = resolvePorts({ SHOP_PORT: '3100' });

    // THEN the shop moves and the rest stay
    expect(ports).toMatchObject({ shop: 3100, dynamodb: 8000 });
  });

  test('names the variable when its value is not a port', () => {
    // GIVEN SES_PORT set to a word
    // WHEN the ports are resolved
    // THEN the error names the variable and the value
    expect(() => resolvePorts({ SES_PORT: 'mail' })).toThrow('SES_PORT must be a port number from 0 to 65535, got "mail"');
  });
});
