/**
 * The CreateStateMachine checks of the query languages and of Assign: a JSONata state machine holds no JSONPath state,
 * a JSONata state uses none of JSONPath's fields, every `{% %}` expression parses, Choice rules use Condition,
 * and each variable name is one AWS accepts.
 */
import jsonata from 'jsonata';
import type { Json, QueryLanguageName, State, StateMachineDefinition } from './types';
import { isVariableName } from './variables';

// The fields the "Transforming data with JSONata" page lists as JSONPath only.
const JSONPATH_ONLY = ['InputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'OutputPath', 'ItemsPath', 'SecondsPath', 'TimestampPath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath', 'ErrorPath', 'CausePath', 'MaxConcurrencyPath', 'ToleratedFailureCountPath', 'ToleratedFailurePercentagePath'];
const JSONATA_ONLY = ['Arguments', 'Output', 'Items', 'Condition'];
const EXPRESSION = /^\{%([\s\S]*)%\}$/;

function* expressions(value: Json | undefined, at: string): Generator<[string, string]> {
  if (typeof value === 'string') {
    const match = EXPRESSION.exec(value);
    if (match) yield [match[1], at];
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* expressions(item, `${at}[${index}]`);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) yield* expressions(item, `${at}/${key}`);
  }
}

function assignProblems(assign: unknown, at: string): string[] {
  if (assign === undefined) return [];
  if (typeof assign !== 'object' || assign === null || Array.isArray(assign)) return [`SCHEMA_VALIDATION_FAILED: The value of Assign must be an object at ${at}`];
  return Object.keys(assign)
    .map((key) => (key.endsWith('.$') ? key.slice(0, -2) : key))
    .filter((name) => !isVariableName(name))
    .map((name) => `INVALID_VARIABLE_NAME: '${name}' is not a valid variable name (a letter or '_' then letters, digits or '_'; not 'states') at ${at}`);
}

function stateProblems(state: State, language: QueryLanguageName, at: string): string[] {
  const problems: string[] = [];
  const fields = state as unknown as Record<string, Json | undefined>;
  const catchers = ((state as { Catch?: Record<string, Json>[] }).Catch ?? []).map((catcher, index) => [catcher, `${at}/Catch[${index}]`] as const);
  const rules = state.Type === 'Choice' ? state.Choices.map((rule, index) => [rule as Record<string, Json>, `${at}/Choices[${index}]`] as const) : [];
  problems.push(...assignProblems(fields.Assign, `${at}/Assign`));
  for (const [holder, where] of [...catchers, ...rules]) problems.push(...assignProblems(holder.Assign, `${where}/Assign`));
  if (language === 'JSONata') {
    for (const field of JSONPATH_ONLY) if (fields[field] !== undefined) problems.push(`SCHEMA_VALIDATION_FAILED: The field '${field}' is not supported in JSONata states at ${at}`);
    for (const [catcher, where] of catchers) if (catcher.ResultPath !== undefined) problems.push(`SCHEMA_VALIDATION_FAILED: The field 'ResultPath' is not supported in JSONata states at ${where}`);
    for (const [rule, where] of rules) if (rule.Condition === undefined) problems.push(`SCHEMA_VALIDATION_FAILED: A Choice rule of a JSONata state needs a Condition at ${where}`);
    for (const [expression, where] of expressions(state as unknown as Json, at)) {
      try {
        jsonata(expression);
      } catch (error) {
        problems.push(`INVALID_JSONATA: The JSONata expression '${expression.trim()}' is not valid (${(error as Error).message}) at ${where}`);
      }
    }
  } else {
    const used = JSONATA_ONLY.filter((field) => fields[field] !== undefined);
    for (const field of used) problems.push(`SCHEMA_VALIDATION_FAILED: The field '${field}' is supported only in JSONata states at ${at}`);
  }
  return problems;
}

export function queryLanguageProblems(definition: StateMachineDefinition, inherited?: QueryLanguageName, at = ''): string[] {
  if (typeof definition !== 'object' || definition === null || typeof definition.States !== 'object' || definition.States === null) return [];
  const top = definition.QueryLanguage ?? inherited ?? 'JSONPath';
  const problems: string[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    if (typeof state !== 'object' || state === null) continue;
    const where = `${at}/States/${name}`;
    const language = state.QueryLanguage ?? top;
    // A JSONata state machine may not fall back to JSONPath, per the guide's "State machine structure" page.
    if (top === 'JSONata' && state.QueryLanguage === 'JSONPath') problems.push(`SCHEMA_VALIDATION_FAILED: A state cannot use JSONPath when the state machine's QueryLanguage is JSONata at ${where}`);
    problems.push(...stateProblems(state, language, where));
    if (state.Type === 'Parallel' && Array.isArray(state.Branches)) state.Branches.forEach((branch, index) => problems.push(...queryLanguageProblems(branch, top, `${where}/Branches[${index}]`)));
    if (state.Type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor !== undefined) problems.push(...queryLanguageProblems(processor, top, `${where}/ItemProcessor`));
    }
  }
  return problems;
}
