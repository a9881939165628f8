import { resolveSettings } from '../../../infra/settings';
import { functionPlaceholders, handlers, type HandlerName } from '../../../infra/wiring';
import { resolveOrderDefinition } from '../../../infra/local/state-machine';

const functionArns = Object.fromEntries(
  Object.keys(handlers).map((name) => [name, `arn:aws:lambda:us-east-1:123456789012:function:local-${name}`]),
) as Record<HandlerName, string>;

type TaskState = { Type: string; Parameters?: { FunctionName?: string } };

describe('resolveOrderDefinition', () => {
  test('points every Lambda task at the local function the wiring names for its placeholder', () => {
    // GIVEN local function ARNs for every handler
    // WHEN the order workflow is resolved
    const definition = JSON.parse(resolveOrderDefinition(functionArns, resolveSettings())) as { States: Record<string, TaskState> };

    // THEN each task calls the function its placeholder maps to, and no placeholder is left
    const functionNames = Object.values(definition.States).flatMap((state) => (state.Parameters?.FunctionName ? [state.Parameters.FunctionName] : []));
    expect(new Set(functionNames)).toEqual(new Set(Object.values(functionPlaceholders).map((handler) => functionArns[handler])));
    expect(definition.States['Ask Cake Maker'].Parameters?.FunctionName).toBe(functionArns.askCakeMaker);
  });

  test('writes the waiting times from the settings into the definition', () => {
    // GIVEN a shop that reminds the cake maker after one hour
    const settings = resolveSettings({ reminderAfterSeconds: 3600 });

    // WHEN the order workflow is resolved
    const definition = resolveOrderDefinition(functionArns, settings);

    // THEN the reminder wait is that hour, and no ${...} placeholder remains
    expect(definition).toContain("States.StringToJson('3600')");
    expect(definition).not.toMatch(/\$\{[A-Za-z0-9]+\}/);
  });
});
