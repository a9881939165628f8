import { browserSuiteMode } from '../support/browser';

describe('whether the browser suites run, skip or fail', () => {
  it('GIVEN Chromium is installed WHEN the suites start, in CI or not THEN they run', () => {
    expect(browserSuiteMode({ CI: 'true' }, true)).toBe('run');
    expect(browserSuiteMode({}, true)).toBe('run');
  });

  it('GIVEN a developer machine without Chromium WHEN the suites start THEN they are skipped', () => {
    expect(browserSuiteMode({}, false)).toBe('skip');
    expect(browserSuiteMode({ CI: 'false' }, false)).toBe('skip');
  });

  it('GIVEN CI without Chromium WHEN the suites start THEN they fail rather than pass without having run', () => {
    expect(browserSuiteMode({ CI: 'true' }, false)).toBe('fail');
    expect(browserSuiteMode({ CI: '1' }, false)).toBe('fail');
  });
});
