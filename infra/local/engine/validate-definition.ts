/** ValidateStateMachineDefinition: the engine's definition checks, reported as AWS's diagnostics instead of thrown. */
import type { ValidateStateMachineDefinitionDiagnostic, ValidateStateMachineDefinitionInput, ValidateStateMachineDefinitionOutput } from '@aws-sdk/client-sfn';
import { InvalidDefinition, validateDefinition } from './asl';
import { apiError } from './api-errors';

const MAX_DIAGNOSTICS = 100;
// asl-validator's names for two of AWS's codes.
const AWS_CODES: Record<string, string> = { MISSING_TERMINAL_STATE: 'MISSING_END_STATE' };

export function validateStateMachineDefinition(input: ValidateStateMachineDefinitionInput): ValidateStateMachineDefinitionOutput {
  if (input.severity !== undefined && input.severity !== 'ERROR' && input.severity !== 'WARNING') {
    throw apiError('ValidationException', `1 validation error detected: Value '${String(input.severity)}' at 'severity' failed to satisfy constraint: Member must satisfy enum value set: [ERROR, WARNING]`);
  }
  if (input.type !== undefined && input.type !== 'STANDARD' && input.type !== 'EXPRESS') {
    throw apiError('ValidationException', `1 validation error detected: Value '${String(input.type)}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]`);
  }
  const maxResults = input.maxResults === undefined || input.maxResults === 0 ? MAX_DIAGNOSTICS : input.maxResults;
  if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > MAX_DIAGNOSTICS) {
    throw apiError('ValidationException', `1 validation error detected: Value '${String(input.maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_DIAGNOSTICS}`);
  }
  const errors = errorDiagnostics(input.definition);
  const warnings = input.severity === 'WARNING' && errors.length === 0 ? warningDiagnostics(JSON.parse(input.definition!) as unknown) : [];
  const all = [...errors, ...warnings];
  return { result: errors.length > 0 ? 'FAIL' : 'OK', diagnostics: all.slice(0, maxResults), truncated: all.length > maxResults };
}

function errorDiagnostics(definition: string | undefined): ValidateStateMachineDefinitionDiagnostic[] {
  if (definition === undefined || definition.trim() === '') {
    return [{ severity: 'ERROR', code: 'MISSING_DESCRIPTION', message: 'Received a null or empty workflow input.' }];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(definition);
  } catch (error) {
    return [{ severity: 'ERROR', code: 'INVALID_JSON_DESCRIPTION', message: (error as Error).message }];
  }
  try {
    validateDefinition(parsed);
    return [];
  } catch (error) {
    if (!(error instanceof InvalidDefinition)) throw error;
    return error.messages.map(diagnosticOf);
  }
}

/** "CODE: message", with a location either leading the message (asl-validator's schema errors) or after " at ". */
function diagnosticOf(problem: string): ValidateStateMachineDefinitionDiagnostic {
  const match = /^([A-Z_]+): ([\s\S]*)$/.exec(problem);
  const code = match ? (AWS_CODES[match[1]] ?? match[1]) : 'SCHEMA_VALIDATION_FAILED';
  const message = (match ? match[2] : problem).trim();
  const leading = /^(\/\S*)? is invalid\./.exec(message);
  const trailing = / at (\/\S*)$/.exec(message);
  const location = leading ? leading[1] || '/' : trailing?.[1];
  return { severity: 'ERROR', code, message, ...(location !== undefined && { location }) };
}

const looksLikePath = (value: unknown) => typeof value === 'string' && (value === '$' || value.startsWith('$.') || value.startsWith('$$.') || /^States\.[A-Za-z]+\(/.test(value));
const PAYLOAD_TEMPLATES = ['Parameters', 'ResultSelector', 'ItemSelector'] as const;

/** AWS's warnings: NO_DOLLAR (a path in a field without `.$`) and PASS_RESULT_IS_STATIC (a path in a Pass Result). */
function warningDiagnostics(definition: unknown): ValidateStateMachineDefinitionDiagnostic[] {
  const warnings: ValidateStateMachineDefinitionDiagnostic[] = [];
  const visit = (machine: { States?: Record<string, Record<string, unknown>> }, at: string) => {
    for (const [name, state] of Object.entries(machine.States ?? {})) {
      const where = `${at}/States/${name}`;
      for (const field of PAYLOAD_TEMPLATES) scanTemplate(state[field], `${where}/${field}`, warnings);
      if (state.Type === 'Pass' && state.Result !== undefined && containsPath(state.Result)) {
        warnings.push({ severity: 'WARNING', code: 'PASS_RESULT_IS_STATIC', message: 'The Result of a Pass state is static: its paths are not evaluated. Use Parameters to select from the input.', location: `${where}/Result` });
      }
      if (Array.isArray(state.Branches)) (state.Branches as object[]).forEach((branch, index) => visit(branch, `${where}/Branches[${index}]`));
      const processor = (state.ItemProcessor ?? state.Iterator) as object | undefined;
      if (processor) visit(processor, `${where}/ItemProcessor`);
    }
  };
  visit(definition as { States?: Record<string, Record<string, unknown>> }, '');
  return warnings;
}

function scanTemplate(template: unknown, at: string, warnings: ValidateStateMachineDefinitionDiagnostic[]): void {
  if (typeof template !== 'object' || template === null) return;
  for (const [key, value] of Object.entries(template)) {
    if (!key.endsWith('.$') && looksLikePath(value)) {
      warnings.push({ severity: 'WARNING', code: 'NO_DOLLAR', message: `The field '${key}' holds what looks like a path or intrinsic function, but its name does not end with '.$', so it is used as a literal string.`, location: `${at}/${key}` });
    }
    scanTemplate(value, `${at}/${key}`, warnings);
  }
}

const containsPath = (value: unknown): boolean =>
  looksLikePath(value) || (typeof value === 'object' && value !== null && Object.entries(value).some(([key, inner]) => key.endsWith('.$') || containsPath(inner)));
