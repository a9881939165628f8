import aslValidator from 'asl-validator';
import { queryLanguageProblems } from './validate-query-language';
import { parseTimestamp } from './timestamps';
import type { Catcher, Retrier, State, StateMachineDefinition } from './types';

export class InvalidDefinition extends Error {
  override name = 'InvalidDefinition';

  constructor(readonly messages: readonly string[]) {
    super(`Invalid state machine definition:\n${messages.join('\n')}`);
  }
}

function* allStates(definition: StateMachineDefinition): Generator<[string, State]> {
  for (const [name, state] of Object.entries(definition.States)) {
    yield [name, state];
    if (state.Type === 'Parallel') for (const branch of state.Branches) yield* allStates(branch);
    if (state.Type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor !== undefined) yield* allStates(processor);
    }
  }
}

/**
 * What asl-validator leaves out: States.ALL must stand alone, in the last retrier or catcher; a Wait state's
 * Timestamp must be RFC 3339 with an uppercase T and Z or a numeric offset (asl-validator's date-time format
 * also takes a space, a lowercase t and z, and +hhmm); a Map's MaxConcurrency must be a whole number; and this
 * query-language rules live in validate-query-language.ts.
 */
const isExpression = (value: unknown) => typeof value === 'string' && value.startsWith('{%') && value.endsWith('%}');

function engineProblems(definition: StateMachineDefinition): string[] {
  const problems: string[] = [];
  for (const [name, state] of allStates(definition)) {
    if (state.Type === 'Wait' && state.Timestamp !== undefined && !isExpression(state.Timestamp) && parseTimestamp(state.Timestamp) === undefined) {
      problems.push(`INVALID_TIMESTAMP: State "${name}" has a Timestamp that is not an RFC 3339 timestamp such as 2024-08-18T17:33:00Z: '${state.Timestamp}'.`);
    }
    if (state.Type === 'Map' && state.MaxConcurrency !== undefined && !isExpression(state.MaxConcurrency) && !Number.isInteger(state.MaxConcurrency)) {
      problems.push(`INVALID_MAX_CONCURRENCY: State "${name}" has a MaxConcurrency of ${state.MaxConcurrency}; it must be a non-negative integer.`);
    }
    if (state.Type !== 'Task' && state.Type !== 'Parallel' && state.Type !== 'Map') continue;
    const lists: [string, readonly (Retrier | Catcher)[] | undefined][] = [
      ['Retry', state.Retry],
      ['Catch', state.Catch],
    ];
    for (const [field, handlers] of lists) {
      (handlers ?? []).forEach((handler, index) => {
        if (!handler.ErrorEquals.includes('States.ALL')) return;
        if (handler.ErrorEquals.length > 1) problems.push(`STATES_ALL_NOT_ALONE: State "${name}" ${field}[${index}] lists States.ALL with other errors.`);
        if (index !== (handlers ?? []).length - 1) problems.push(`STATES_ALL_NOT_LAST: State "${name}" ${field}[${index}] uses States.ALL but is not the last entry.`);
      });
    }
  }
  return problems;
}

/** Checks a definition with asl-validator (plus the rules above) and returns it typed; throws InvalidDefinition listing every problem. */
export function validateDefinition(definition: unknown): StateMachineDefinition {
  // Checked first: asl-validator's schema errors for a JSONPath field in a JSONata state do not name the field.
  const languageProblems = queryLanguageProblems(definition as StateMachineDefinition);
  if (languageProblems.length > 0) throw new InvalidDefinition(languageProblems);
  // asl-validator writes a default QueryLanguage into the object it is given.
  const result = aslValidator(structuredClone(definition));
  if (!result.isValid) throw new InvalidDefinition(result.errors.map((error) => `${error['Error code']}: ${error.Message}`));
  const typed = definition as StateMachineDefinition;
  const problems = engineProblems(typed);
  if (problems.length > 0) throw new InvalidDefinition(problems);
  return typed;
}
