/**
 * The states an order's execution enters when everything goes well: placed, fulfilled, delivered and completed,
 * publishing its events on the way. A customer who gives a rating adds FeedbackReceived to them.
 */
export function happyPath({ rated }: { rated: boolean }): string[] {
  return [
    'Load Settings',
    'Publish Order Placed',
    'Send Order Confirmation',
    'Ask Cake Maker',
    'Publish Cake Fulfilled',
    'Notify Delivery Company',
    'Publish Order Out For Delivery',
    'Await Delivery Confirmation',
    'Publish Order Delivered',
    'Feedback Given?',
    ...(rated ? ['Publish Feedback Received'] : []),
    'Forward Feedback',
    'Complete Order',
    'Publish Order Completed',
    'Order Completed',
  ];
}

/** How the ops console writes a path out in words, beside its drawing. */
export function pathInWords(states: string[]): string {
  return `Path: ${states.join(' → ')}.`;
}
