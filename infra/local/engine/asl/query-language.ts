/**
 * One evaluator per query language behind one interface: the runtime asks the state's evaluator for each step
 * (effective input, wait, timeouts, choice, Map set-up, output and Assign) and never branches on the language.
 * JSONPath answers at once; JSONata (the `jsonata` package is asynchronous) answers with a promise.
 */
import type { Tolerance } from './map-limits';
import type { Catcher, ChoiceState, ContextObject, FailState, Json, JsonObject, MapState, QueryLanguageName, State, StateMachineDefinition, TaskState, WaitState } from './types';

export type Eventually<T> = T | Promise<T>;

/** What a state's expressions see: its raw input, and the context object (which carries the variables in scope). */
export interface StateScope {
  input: Json;
  context: ContextObject;
}

/** A state's output, and the variables its Assign sets (undefined when it has no Assign). */
export interface Outcome {
  output: Json;
  assign?: JsonObject;
}

export interface Choice extends Outcome {
  next: string;
}

export interface MapStart {
  items: Json[];
  /** 0 for no limit. */
  maxConcurrency: number;
  tolerance?: Tolerance;
}

export interface QueryEvaluator {
  readonly language: QueryLanguageName;
  /** The input a state works on: JSONPath's InputPath and Parameters, JSONata's Arguments (Task, Parallel). */
  effectiveInput(state: State, scope: StateScope): Eventually<Json>;
  taskTimeouts(state: TaskState, scope: StateScope): Eventually<{ timeoutSeconds: number; heartbeatSeconds?: number }>;
  waitUntil(state: WaitState, scope: StateScope, nowMs: number): Eventually<number>;
  failure(state: FailState, scope: StateScope): Eventually<{ error?: string; cause?: string }>;
  choose(state: ChoiceState, scope: StateScope): Eventually<Choice>;
  mapStart(state: MapState, scope: StateScope, effectiveInput: Json): Eventually<MapStart>;
  /** One iteration's input; `context` has `Map.Item`. */
  mapItemInput(state: MapState, effectiveInput: Json, scope: StateScope): Eventually<Json>;
  /** Output and Assign once the state has its result (for Pass, Wait and Succeed: the effective input). */
  complete(state: State, scope: StateScope, result: Json): Eventually<Outcome>;
  /** Output and Assign of a catcher that caught `errorOutput`. */
  caught(catcher: Catcher, scope: StateScope, errorOutput: JsonObject): Eventually<Outcome>;
}

/** Each state's query language: its own QueryLanguage, else the top level's, else JSONPath. */
export function queryLanguages(definition: StateMachineDefinition): WeakMap<State, QueryLanguageName> {
  const languages = new WeakMap<State, QueryLanguageName>();
  const top = definition.QueryLanguage ?? 'JSONPath';
  const visit = (states: Record<string, State>) => {
    for (const state of Object.values(states)) {
      languages.set(state, state.QueryLanguage ?? top);
      if (state.Type === 'Parallel') for (const branch of state.Branches) visit(branch.States);
      if (state.Type === 'Map') {
        const processor = state.ItemProcessor ?? state.Iterator;
        if (processor !== undefined) visit(processor.States);
      }
    }
  };
  visit(definition.States);
  return languages;
}

export function isPromise<T>(value: Eventually<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
