import { findProduct } from './catalogue';
import type { FieldError } from './http';
import { isWellFormedLinkCode } from './link-codes';
import type { OrderDetails } from './order';
import { isOrderId } from './order';

export const limits = {
  name: 100,
  email: 254,
  address: 500,
  message: 200,
  comment: 1000,
  minQuantity: 1,
  maxQuantity: 20,
} as const;

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const emailPattern = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;
// Control characters other than line breaks have no place in a name, address or message.
const controlCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

function text(
  fields: Record<string, unknown>,
  field: string,
  errors: FieldError[],
  options: { max: number; required: boolean; multiline?: boolean },
): string | undefined {
  const value = fields[field];
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '' && !options.required)) {
    if (options.required) errors.push({ field, message: `${field} is required.` });
    return undefined;
  }
  if (typeof value !== 'string') {
    errors.push({ field, message: `${field} must be a string.` });
    return undefined;
  }
  const trimmed = value.trim();
  if (trimmed === '') {
    errors.push({ field, message: `${field} must not be empty.` });
    return undefined;
  }
  if (trimmed.length > options.max) {
    errors.push({ field, message: `${field} must be at most ${options.max} characters.` });
    return undefined;
  }
  if (controlCharacters.test(trimmed) || (!options.multiline && /[\r\n]/.test(trimmed))) {
    errors.push({ field, message: `${field} contains characters that are not allowed.` });
    return undefined;
  }
  return trimmed;
}

export function validateOrderDetails(fields: Record<string, unknown>): Validated<OrderDetails> {
  const errors: FieldError[] = [];
  const name = text(fields, 'name', errors, { max: limits.name, required: true });
  const email = text(fields, 'email', errors, { max: limits.email, required: true });
  if (email !== undefined && !emailPattern.test(email)) {
    errors.push({ field: 'email', message: 'email must look like name@example.com.' });
  }
  const address = text(fields, 'address', errors, { max: limits.address, required: true, multiline: true });
  const productId = text(fields, 'productId', errors, { max: 64, required: true });
  if (productId !== undefined && !findProduct(productId)) {
    errors.push({ field: 'productId', message: `productId "${productId}" is not a cake we sell.` });
  }
  const quantity = fields.quantity;
  if (quantity === undefined || quantity === null) {
    errors.push({ field: 'quantity', message: 'quantity is required.' });
  } else if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < limits.minQuantity || quantity > limits.maxQuantity) {
    errors.push({ field: 'quantity', message: `quantity must be a whole number from ${limits.minQuantity} to ${limits.maxQuantity}.` });
  }
  const message = text(fields, 'message', errors, { max: limits.message, required: false, multiline: true });
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name: name as string,
      email: email as string,
      address: address as string,
      productId: productId as string,
      quantity: quantity as number,
      ...(message !== undefined ? { message } : {}),
    },
  };
}

export interface LinkActionInput {
  orderId: string;
  code: string;
  rating?: number;
  comment?: string;
}

/** Reads `{orderId, code}` and, for delivery, an optional rating 1-5 and comment; form posts send them as strings. */
export function validateLinkAction(fields: Record<string, unknown>, withFeedback: boolean): Validated<LinkActionInput> {
  const errors: FieldError[] = [];
  const { orderId, code } = fields;
  if (orderId === undefined || orderId === '') errors.push({ field: 'orderId', message: 'orderId is required.' });
  else if (!isOrderId(orderId)) errors.push({ field: 'orderId', message: 'orderId is not a valid order id.' });
  if (code === undefined || code === '') errors.push({ field: 'code', message: 'code is required: use the whole link from your email.' });
  else if (!isWellFormedLinkCode(code)) errors.push({ field: 'code', message: 'code is not a valid link code: use the whole link from your email.' });
  let rating: number | undefined;
  let comment: string | undefined;
  if (withFeedback) {
    const rawRating = fields.rating;
    if (rawRating !== undefined && rawRating !== null && rawRating !== '') {
      const parsed = typeof rawRating === 'string' && /^\d+$/.test(rawRating) ? Number(rawRating) : rawRating;
      if (typeof parsed !== 'number' || !Number.isInteger(parsed) || parsed < 1 || parsed > 5) {
        errors.push({ field: 'rating', message: 'rating must be a whole number from 1 to 5.' });
      } else {
        rating = parsed;
      }
    }
    comment = text(fields, 'comment', errors, { max: limits.comment, required: false, multiline: true });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      orderId: orderId as string,
      code: code as string,
      ...(rating !== undefined ? { rating } : {}),
      ...(comment !== undefined ? { comment } : {}),
    },
  };
}
