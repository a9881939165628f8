import { resolvePorts } from '../../../infra/local/ports';

describe('resolvePorts', () => {
  test('uses the documented default ports when nothing is set', () => {
    // GIVEN an environment with no port variables
    // WHEN the ports are resolved
    const ports = resolvePorts({});

    // THEN each service gets its default
    expect(ports).toEqual({ shop: 3000, dynamodb: 8000, email: 8005, stepFunctions: 8083, secretsManager: 8006, eventBridge: 8007 });
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

  test('names both variables when two services ask for the same port', () => {
    // GIVEN SHOP_PORT moved onto DynamoDB's default port
    // WHEN the ports are resolved
    // THEN the error names both variables and the port
    expect(() => resolvePorts({ SHOP_PORT: '8000' })).toThrow('SHOP_PORT and DYNAMODB_PORT both ask for port 8000');
  });

  test('lets every service ask for port 0, which each turns into a different free port', () => {
    // GIVEN every port set to 0
    // WHEN the ports are resolved
    const ports = resolvePorts({ SHOP_PORT: '0', DYNAMODB_PORT: '0', SES_PORT: '0', SFN_PORT: '0', SECRETS_MANAGER_PORT: '0', EVENTBRIDGE_PORT: '0' });

    // THEN no clash is reported
    expect(ports).toEqual({ shop: 0, dynamodb: 0, email: 0, stepFunctions: 0, secretsManager: 0, eventBridge: 0 });
  });
});
