export type EventBridgeErrorType =
  | 'AccessDeniedException'
  | 'InvalidEventPatternException'
  | 'LimitExceededException'
  | 'ResourceAlreadyExistsException'
  | 'ResourceNotFoundException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'ValidationException';

/** An error as EventBridge answers it: `name` is the `__type` of the JSON body, and the SDK throws an error of that name. */
export class EventBridgeError extends Error {
  constructor(
    override readonly name: EventBridgeErrorType,
    message: string,
  ) {
    super(message);
  }
}

/** A malformed event pattern, with the reason EventBridge gives after its fixed opening. */
export function invalidEventPattern(reason: string): EventBridgeError {
  return new EventBridgeError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${reason}`);
}
