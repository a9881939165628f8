/**
 * Errors a workflow task throws. Each class sets `name`, which Step Functions reports as the error name,
 * so statemachines/order.asl.json can Retry and Catch exactly these names.
 */
export class OrderCancelled extends Error {
  override name = 'OrderCancelled' as const;
}

/** A service the task needs (email, webhook, DynamoDB) is down or throttling; the workflow retries with back-off. */
export class DependencyUnavailable extends Error {
  override name = 'DependencyUnavailable' as const;
}

export class OrderNotFound extends Error {
  override name = 'OrderNotFound' as const;
}

/** The order is not in a status that allows the step; retrying will not help. */
export class OrderStateConflict extends Error {
  override name = 'OrderStateConflict' as const;
}

export const workflowErrorNames = ['OrderCancelled', 'DependencyUnavailable', 'OrderNotFound', 'OrderStateConflict'] as const;
