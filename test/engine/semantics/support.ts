import { StatesError, type ContextObject } from '../../../infra/local/engine/asl';

/** A context object as the runtime builds it for a state of the `order-42` execution. */
export function aContext(overrides: Partial<ContextObject> = {}): ContextObject {
  return {
    Execution: {
      Id: 'arn:aws:states:eu-west-1:123456789012:execution:orders:order-42',
      Name: 'order-42',
      StartTime: '2024-05-01T10:00:00.000Z',
      Input: { orderId: '42' },
      RoleArn: 'arn:aws:iam::123456789012:role/orders',
      RedriveCount: 0,
    },
    StateMachine: { Id: 'arn:aws:states:eu-west-1:123456789012:stateMachine:orders', Name: 'orders' },
    State: { Name: 'Ask Cake Maker', EnteredTime: '2024-05-01T10:00:01.000Z', RetryCount: 2 },
    ...overrides,
  };
}

/** The StatesError an action throws; fails the test when it throws nothing or something else. */
export function statesErrorOf(action: () => unknown): StatesError {
  try {
    action();
  } catch (error) {
    if (error instanceof StatesError) return error;
    throw error;
  }
  throw new Error('expected a StatesError, but nothing was thrown');
}
