/**
 * An error of the Step Functions API, named as AWS names it so callers can branch on `name` the same way they
 * do with `@aws-sdk/client-sfn`. The HTTP endpoint turns it into `{"__type": name, "message": ...}`.
 */
export class StepFunctionsApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export const apiError = (code: string, message: string, statusCode = 400) => new StepFunctionsApiError(code, message, statusCode);
