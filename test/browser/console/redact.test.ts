import { Redactor, historySecret, recordSecret, redact, storedMarker } from '../../../infra/local/console/redact';

describe('hiding secrets the console shows', () => {
  it('GIVEN task parameters carrying a task token WHEN they are shown THEN the token is replaced by the stored marker', () => {
    const redactor = new Redactor(historySecret);
    const parameters = JSON.stringify({ FunctionName: 'ask', Payload: { orderId: 'o-1', taskToken: 'tok-abc' } });

    const shown = redactor.show(parameters);

    expect(JSON.parse(shown)).toEqual({ FunctionName: 'ask', Payload: { orderId: 'o-1', taskToken: storedMarker } });
  });

  it('GIVEN a token seen in one event WHEN a later error cause quotes it THEN the cause shows the stored marker instead', () => {
    const redactor = new Redactor(historySecret);
    redactor.learn([JSON.stringify({ Payload: { taskToken: 'tok-abc' } })]);

    expect(redactor.show('Task token tok-abc is no longer valid')).toBe(`Task token ${storedMarker} is no longer valid`);
  });

  it('GIVEN a Lambda result with a StatusCode WHEN history is shown THEN the status code stays visible', () => {
    const shown = new Redactor(historySecret).show(JSON.stringify({ StatusCode: 200, Payload: null }));

    expect(JSON.parse(shown)).toEqual({ StatusCode: 200, Payload: null });
  });

  it('GIVEN an order record with code hashes and tokens WHEN it is shown THEN each is the stored marker and the rest is intact', () => {
    const record = { orderId: 'o-1', fulfilCodeHashes: ['aa', 'bb'], cancelCodeHash: 'cc', fulfilTaskToken: 'tok', status: 'PLACED' };

    expect(redact(record, recordSecret)).toEqual({
      orderId: 'o-1',
      fulfilCodeHashes: storedMarker,
      cancelCodeHash: storedMarker,
      fulfilTaskToken: storedMarker,
      status: 'PLACED',
    });
  });
});
