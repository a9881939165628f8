import { jsonAta } from './jsonata-evaluator';
import { jsonPath } from './jsonpath-evaluator';
import type { QueryEvaluator } from './query-language';
import type { QueryLanguageName } from './types';

export const evaluators: Record<QueryLanguageName, QueryEvaluator> = { JSONPath: jsonPath, JSONata: jsonAta };
