/**
 * Path selection, apart from the rest of paths.ts because intrinsic functions read paths too and are
 * themselves evaluated by resolveDynamicValue there.
 */
import { JSONPath } from 'jsonpath-plus';
import { StatesError, VARIABLES, type ContextObject, type Json } from './types';

// `$name…` reads a workflow variable; `$`, `$.…`, `$[…]` and `$$…` do not.
const VARIABLE_PATH = /^\$([^.[$][^.[]*)([\s\S]*)$/;

/** AWS writes `$.abc.['def ghi']`; jsonpath-plus reads `.[` as recursive descent, so drop the dot. */
export function normalise(path: string): string {
  return path.replace(/\.\[/g, '[');
}

/**
 * A path is "definite" when it names exactly one node. AWS (Jayway JSONPath underneath) returns a definite
 * path's value as is and fails when it is missing, but returns an indefinite path's matches as a list,
 * which may be empty.
 */
export function isDefinite(path: string): boolean {
  return JSONPath.toPathArray(path).every(
    (token) => token !== '*' && token !== '..' && !/^[?(]/.test(token) && !/^-?\d*:-?\d*(:-?\d*)?$/.test(token) && !/^\d+(,\d+)+$/.test(token),
  );
}

/** A value shown in an error message, cut short after 200 characters. */
export function describe(value: Json): string {
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * Selects `path` from `data` (a `$` path) or from `context` (a `$$` path).
 * `undefined` means the default `$` (everything); `null` means "nothing", which AWS turns into `{}`.
 */
export function selectPath(path: string | null | undefined, data: Json, context?: ContextObject): Json {
  if (path === undefined) return data;
  if (path === null) return {};
  let source: Json = data;
  let expression = path;
  if (path.startsWith('$$')) {
    if (context === undefined) throw new StatesError('States.Runtime', `The context object is not available for the path '${path}'.`);
    source = context as unknown as Json;
    expression = path.slice(1);
  } else {
    const variable = VARIABLE_PATH.exec(path);
    if (variable !== null) {
      const variables = context?.[VARIABLES];
      if (variables === undefined || !Object.prototype.hasOwnProperty.call(variables, variable[1])) {
        throw new StatesError('States.Runtime', `Invalid path '${path}': the variable '${variable[1]}' is not defined.`);
      }
      source = variables[variable[1]];
      expression = `$${variable[2]}`;
    }
  }
  if (!expression.startsWith('$')) throw new StatesError('States.Runtime', `Invalid path '${path}': a path must start with '$'.`);
  const normalised = normalise(expression);
  let matches: Json[];
  try {
    matches = JSONPath({ path: normalised, json: source, wrap: true, eval: 'safe' }) as Json[];
  } catch (error) {
    throw new StatesError('States.Runtime', `Invalid path '${path}': ${(error as Error).message}`);
  }
  if (!isDefinite(normalised)) return matches;
  if (matches.length === 0) {
    // The context object holds the task token, which must never reach an error cause.
    const where = path.startsWith('$$') ? 'the context object' : `the input ${describe(source)}`;
    throw new StatesError('States.Runtime', `Invalid path '${path}': the path could not be found in ${where}.`);
  }
  return matches[0];
}
