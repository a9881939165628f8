/** What the console shows in place of a secret: ops need to know it exists, never its value. */
export const storedMarker = '(stored)';

export type SecretKeyTest = (key: string) => boolean;

/** In execution history a task token travels as `taskToken` in the task's parameters. */
export const historySecret: SecretKeyTest = (key) => /token|secret|hash/i.test(key) || key.toLowerCase() === 'code';

/** The order record keeps task tokens and link-code hashes; any key naming either is hidden. */
export const recordSecret: SecretKeyTest = (key) => /token|secret|hash|code/i.test(key);

export function redact(value: unknown, isSecret: SecretKeyTest, found: Set<string> = new Set()): unknown {
  if (Array.isArray(value)) return value.map((item) => redact(item, isSecret, found));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => {
        if (!isSecret(key)) return [key, redact(item, isSecret, found)];
        collectStrings(item, found);
        return [key, storedMarker];
      }),
    );
  }
  return value;
}

function collectStrings(value: unknown, into: Set<string>): void {
  if (typeof value === 'string' && value.length > 0) into.add(value);
  else if (Array.isArray(value)) value.forEach((item) => collectStrings(item, into));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((item) => collectStrings(item, into));
}

/**
 * Shows a JSON document from history with secrets hidden, pretty-printed. A secret seen under a secret key
 * anywhere in the same history is also scrubbed from free text, such as an error cause that quotes it.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  constructor(private readonly isSecret: SecretKeyTest) {}

  /** Parses every JSON text first so a later cause cannot reveal a token an earlier event carried. */
  learn(texts: Iterable<string | undefined>): void {
    for (const text of texts) {
      const parsed = parseJson(text);
      if (parsed !== undefined) redact(parsed, this.isSecret, this.secrets);
    }
  }

  show(text: string | undefined): string {
    if (text === undefined) return '';
    const parsed = parseJson(text);
    const shown = parsed === undefined ? text : JSON.stringify(redact(parsed, this.isSecret), null, 2);
    return this.scrub(shown);
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join(storedMarker);
    return out;
  }
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
