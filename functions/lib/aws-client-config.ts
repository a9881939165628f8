/**
 * Options every SDK client of the handlers shares. The SDK waits forever for an answer by default, so a service
 * that hangs would let the Lambda run out its timeout (`Sandbox.Timedout`, retried too, but only after the whole
 * 10 s); bounding each request turns a hang into a `TimeoutError`, which becomes `DependencyUnavailable` and is
 * retried with back-off. Two attempts of 3 s stay inside the 10 s function timeout.
 */
export const awsClientConfig = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true },
};
