import { EventPattern } from '../../../infra/local/eventbridge/event-pattern';

// The patterns and events are the examples of the EventBridge user guide's pages "Content filtering in Amazon
// EventBridge event patterns", "Matching null values and empty strings" and "Arrays in event patterns".

const matches = (pattern: object, event: object) => EventPattern.parse(JSON.stringify(pattern)).matches(event);

const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-10-02T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0', 'arn:aws:ec2:us-west-1:123456789012:instance/i-0fedcba0987654321'],
  detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33', 'instance-id': 'i-1234567890abcdef0', state: 'running' },
};
const withDetail = (detail: Record<string, unknown>) => ({ ...ec2Event, detail: { ...ec2Event.detail, ...detail } });

describe('event pattern matching', () => {
  test('an exact value matches the same value, character for character', () => {
    expect(matches({ source: ['aws.ec2'] }, ec2Event)).toBe(true);
    expect(matches({ source: ['aws.s3'] }, ec2Event)).toBe(false);
    expect(matches({ source: ['AWS.EC2'] }, ec2Event)).toBe(false);
    expect(matches({ detail: { 'c-count': ['5'] } }, ec2Event)).toBe(false);
  });

  test('the values of a field are alternatives, and every field of the pattern must match', () => {
    expect(matches({ source: ['aws.ec2', 'aws.fargate'] }, ec2Event)).toBe(true);
    expect(matches({ source: ['aws.ec2'], detail: { state: ['initializing', 'running'] } }, ec2Event)).toBe(true);
    expect(matches({ source: ['aws.ec2'], detail: { state: ['stopped'] } }, ec2Event)).toBe(false);
  });

  test('a number matches an equal number, however it is written', () => {
    expect(matches({ detail: { 'x-limit': [301.8] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { 'c-count': [5] } }, JSON.parse('{"detail": {"c-count": 5.0}}'))).toBe(true);
    expect(matches({ detail: { 'c-count': [6] } }, ec2Event)).toBe(false);
  });

  test('prefix matches the start of a string value', () => {
    const pattern = { time: [{ prefix: '2017-10-02' }] };
    expect(matches(pattern, ec2Event)).toBe(true);
    expect(matches(pattern, { ...ec2Event, time: '2017-10-03T18:43:48Z' })).toBe(false);
    expect(matches({ detail: { 'c-count': [{ prefix: '5' }] } }, ec2Event)).toBe(false);
  });

  test('prefix with equals-ignore-case matches the start of a string in any case', () => {
    const pattern = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
    expect(matches(pattern, withDetail({ service: 'EventBridge' }))).toBe(true);
    expect(matches(pattern, withDetail({ service: 'EVENTBRIDGE' }))).toBe(true);
    expect(matches(pattern, withDetail({ service: 'eventb' }))).toBe(true);
    expect(matches(pattern, withDetail({ service: 'Lambda' }))).toBe(false);
  });

  test('suffix matches the end of a string value', () => {
    const pattern = { detail: { FileName: [{ suffix: '.png' }] } };
    expect(matches(pattern, withDetail({ FileName: 'cake.png' }))).toBe(true);
    expect(matches(pattern, withDetail({ FileName: 'cake.PNG' }))).toBe(false);
    expect(matches(pattern, withDetail({ FileName: 'cake.png.txt' }))).toBe(false);
  });

  test('suffix with equals-ignore-case matches the end of a string in any case', () => {
    const pattern = { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } };
    expect(matches(pattern, withDetail({ FileName: 'cake.PNG' }))).toBe(true);
    expect(matches(pattern, withDetail({ FileName: 'cake.Png' }))).toBe(true);
    expect(matches(pattern, withDetail({ FileName: 'cake.jpg' }))).toBe(false);
  });

  test('anything-but with a single string or number matches every other value, but not a missing field', () => {
    expect(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': 'running' }] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { 'x-limit': [{ 'anything-but': 301.8 }] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { mood: [{ 'anything-but': 'grumpy' }] } }, ec2Event)).toBe(false);
  });

  test('anything-but with a list of strings or of numbers matches a value in none of them', () => {
    const states = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
    expect(matches(states, ec2Event)).toBe(true);
    expect(matches(states, withDetail({ state: 'overloaded' }))).toBe(false);
    const limits = { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } };
    expect(matches(limits, ec2Event)).toBe(true);
    expect(matches(limits, withDetail({ 'x-limit': 200 }))).toBe(false);
  });

  test('anything-but prefix matches a value that does not start with it', () => {
    const pattern = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    expect(matches(pattern, ec2Event)).toBe(true);
    expect(matches(pattern, withDetail({ state: 'initializing' }))).toBe(false);
  });

  test('anything-but suffix matches a value that does not end with it', () => {
    const pattern = { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } };
    expect(matches(pattern, withDetail({ FileName: 'cake.png' }))).toBe(true);
    expect(matches(pattern, withDetail({ FileName: 'recipe.txt' }))).toBe(false);
  });

  test('anything-but equals-ignore-case matches a value equal to none of them in any case', () => {
    expect(matches({ detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } }, withDetail({ state: 'INITIALIZING' }))).toBe(false);
    const pattern = { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } };
    expect(matches(pattern, ec2Event)).toBe(true);
    expect(matches(pattern, withDetail({ state: 'stopped' }))).toBe(false);
    expect(matches(pattern, withDetail({ state: 'OVERLOADED' }))).toBe(false);
  });

  test('anything-but wildcard matches a value that fits none of the wildcards', () => {
    const one = { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } };
    expect(matches(one, withDetail({ FilePath: '/usr/bin/cake' }))).toBe(true);
    expect(matches(one, withDetail({ FilePath: '/usr/lib/cake' }))).toBe(false);
    const several = { detail: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] } };
    expect(matches(several, withDetail({ FilePath: '/usr/bin/cake' }))).toBe(false);
    expect(matches(several, withDetail({ FilePath: '/home/cake' }))).toBe(true);
  });

  test('numeric matches a number in the range, and every field must be in its range', () => {
    const pattern = {
      detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] },
    };
    expect(matches(pattern, ec2Event)).toBe(true);
    expect(matches(pattern, withDetail({ 'c-count': 0 }))).toBe(false);
    expect(matches(pattern, withDetail({ 'c-count': 6 }))).toBe(false);
    expect(matches(pattern, withDetail({ 'd-count': 10 }))).toBe(false);
    expect(matches(pattern, withDetail({ 'x-limit': '301.8' }))).toBe(false);
    expect(matches({ detail: { 'c-count': [{ numeric: ['>=', 5, '<', 6] }] } }, ec2Event)).toBe(true);
  });

  test('cidr matches an IPv4 or IPv6 address in the block', () => {
    const pattern = { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } };
    expect(matches(pattern, withDetail({ sourceIPAddress: '10.0.0.255' }))).toBe(true);
    expect(matches(pattern, withDetail({ sourceIPAddress: '10.0.1.0' }))).toBe(false);
    expect(matches(pattern, withDetail({ sourceIPAddress: 'not an address' }))).toBe(false);
    const v6 = { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } };
    expect(matches(v6, withDetail({ sourceIPAddress: '2001:db8:0:0:1::1' }))).toBe(true);
    expect(matches(v6, withDetail({ sourceIPAddress: '2001:db9::1' }))).toBe(false);
  });

  test('exists true matches a field with a value, exists false a field without one', () => {
    expect(matches({ detail: { state: [{ exists: true }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { state: [{ exists: true }] } }, { ...ec2Event, detail: { 'c-count': { c1: 100 } } })).toBe(false);
    expect(matches({ detail: { mood: [{ exists: false }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { state: [{ exists: false }] } }, ec2Event)).toBe(false);
  });

  test('exists works on leaves only: a field holding an object does not exist', () => {
    const event = { ...ec2Event, detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } } };
    expect(matches({ detail: { 'c-count': [{ exists: false }] } }, event)).toBe(true);
    expect(matches({ detail: { 'c-count': [{ exists: true }] } }, event)).toBe(false);
  });

  test('equals-ignore-case matches a string equal in any case', () => {
    expect(matches({ detail: { Name: [{ 'equals-ignore-case': 'alice' }] } }, withDetail({ Name: 'Alice' }))).toBe(true);
    expect(matches({ detail: { Name: [{ 'equals-ignore-case': 'alice' }] } }, withDetail({ Name: 'Alicia' }))).toBe(false);
    expect(matches({ 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, ec2Event)).toBe(true);
  });

  test('wildcard matches any run of characters where the pattern has a star, and \\* is a star', () => {
    const pattern = { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] };
    expect(matches(pattern, { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' })).toBe(true);
    expect(matches(pattern, { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/default' })).toBe(false);
    expect(matches({ source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleQueueService' })).toBe(true);
    expect(matches({ source: [{ wildcard: 'Simple*Service' }] }, { source: 'SimpleQueue' })).toBe(false);
    expect(matches({ name: [{ wildcard: 'cake\\*' }] }, { name: 'cake*' })).toBe(true);
    expect(matches({ name: [{ wildcard: 'cake\\*' }] }, { name: 'cakes' })).toBe(false);
  });

  test('$or matches when any of its branches matches, alongside the other fields', () => {
    const pattern = {
      detail: { $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }, { 'x-limit': [{ numeric: ['=', 3.018e2] }] }] },
    };
    expect(matches(pattern, withDetail({ 'c-count': 50, 'd-count': 50 }))).toBe(true);
    expect(matches(pattern, withDetail({ 'c-count': 50, 'd-count': 50, 'x-limit': 1 }))).toBe(false);
    const withSource = { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] };
    expect(matches(withSource, { source: 'aws.cloudwatch', namespace: 'AWS/EC2' })).toBe(true);
    expect(matches(withSource, { source: 'aws.ec2', namespace: 'AWS/EC2' })).toBe(false);
    expect(matches(withSource, { source: 'aws.cloudwatch', namespace: 'AWS/S3' })).toBe(false);
  });

  test('$or branches may hold several fields and a $or of their own', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
      ],
    };
    expect(matches(pattern, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 })).toBe(true);
    expect(matches(pattern, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1 })).toBe(false);
  });

  test('null matches a null value, and an empty string an empty string, and neither a missing field', () => {
    expect(matches({ detail: { responseElements: [null] } }, withDetail({ responseElements: null }))).toBe(true);
    expect(matches({ detail: { responseElements: [null] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { responseElements: [null] } }, withDetail({ responseElements: '' }))).toBe(false);
    expect(matches({ detail: { eventVersion: [''] } }, withDetail({ eventVersion: '' }))).toBe(true);
    expect(matches({ detail: { eventVersion: [''] } }, withDetail({ eventVersion: null }))).toBe(false);
  });

  test('a field holding an array matches when any of its values matches', () => {
    expect(matches({ resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-0fedcba0987654321'] }, ec2Event)).toBe(true);
    expect(matches({ resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-none'] }, ec2Event)).toBe(false);
    expect(matches({ detail: { state: ['running'] } }, withDetail({ state: ['initializing', 'running'] }))).toBe(true);
  });

  test('fields inside an array of objects must match within one of its elements', () => {
    const employees = [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
      { firstName: 'Peter', lastName: 'Jones' },
    ];
    expect(matches({ employees: { firstName: ['Anna'] } }, { employees })).toBe(true);
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, { employees })).toBe(true);
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, { employees })).toBe(false);
    expect(matches({ employees: { firstName: ['Peter'] } }, { employees: [employees.slice(0, 2), [employees[2]]] })).toBe(true);
  });

  test('nested fields match at the same nesting in the event', () => {
    const event = withDetail({ order: { cake: { flavour: 'lemon' } } });
    expect(matches({ detail: { order: { cake: { flavour: ['lemon'] } } } }, event)).toBe(true);
    expect(matches({ detail: { cake: { flavour: ['lemon'] } } }, event)).toBe(false);
    expect(matches({ detail: { state: { name: ['running'] } } }, ec2Event)).toBe(false);
  });

  test('the operators combine, as in the guide\'s complex example', () => {
    const pattern = {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
      },
    };
    expect(matches(pattern, ec2Event)).toBe(true);
    expect(matches(pattern, withDetail({ 'x-limit': 300 }))).toBe(false);
  });

  test('a key given twice counts with its last value only', () => {
    const pattern = EventPattern.parse('{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}');
    expect(pattern.matches({ detail: { location: 'eu-west' } })).toBe(true);
    expect(pattern.matches({ detail: { location: 'us-east' } })).toBe(false);
  });
});

describe('event pattern validation', () => {
  test.each([
    ['text that is not JSON', '{"source": ', /^Event pattern is not valid\. Reason: .*JSON/],
    ['a pattern that is not an object', '["aws.ec2"]', /Reason: Filter is not an object$/],
    ['an empty pattern', '{}', /Empty objects are not allowed/],
    ['a field with a bare value', '{"source": "aws.ec2"}', /"source" must be an object or an array/],
    ['a field with no values', '{"source": []}', /Empty arrays are not allowed/],
    ['a list inside the values', '{"source": [["aws.ec2"]]}', /Match value must be String, number, true, false, or null/],
    ['an operator EventBridge does not have', '{"source": [{"regex": "aws.*"}]}', /Unrecognized match type regex/],
    ['two operators in one object', '{"source": [{"prefix": "aws", "suffix": "ec2"}]}', /Only one key allowed in match expression/],
    ['a prefix that is not a string', '{"source": [{"prefix": 1}]}', /prefix match pattern must be a string/],
    ['a prefix with an unknown option', '{"source": [{"prefix": {"ignore-case": "aws"}}]}', /Unsupported prefix pattern: ignore-case/],
    ['equals-ignore-case with a number', '{"source": [{"equals-ignore-case": 1}]}', /equals-ignore-case match pattern must be a string/],
    ['a numeric bound that is not a number', '{"n": [{"numeric": [">", "1"]}]}', /Value of > must be numeric/],
    ['an unknown numeric operator', '{"n": [{"numeric": ["!=", 1]}]}', /Unrecognized numeric range operator: !=/],
    ['a numeric range with two lower bounds', '{"n": [{"numeric": [">", 0, ">", 5]}]}', /Bad numeric range operator: >/],
    ['a numeric upper bound followed by more', '{"n": [{"numeric": ["<", 0, ">", 5]}]}', /Too many elements in numeric expression/],
    ['a numeric bound beyond 5e9', '{"n": [{"numeric": [">", 6e9]}]}', /Value must be between -5\.0E9 and 5\.0E9, inclusive/],
    ['exists that is not a boolean', '{"n": [{"exists": "yes"}]}', /exists match pattern must be either true or false\./],
    ['anything-but with strings and numbers', '{"n": [{"anything-but": ["x", 1]}]}', /mixed type is not supported/],
    ['anything-but with null', '{"n": [{"anything-but": null}]}', /Value of anything-but must be an array or single string\/number value\./],
    ['anything-but with an empty prefix', '{"n": [{"anything-but": {"prefix": ""}}]}', /Null prefix\/suffix not allowed/],
    ['anything-but with an operator it does not take', '{"n": [{"anything-but": {"numeric": [">", 1]}}]}', /Unsupported anything-but pattern: numeric/],
    ['a wildcard with two stars in a row', '{"n": [{"wildcard": "cake**"}]}', /Consecutive wildcard characters at pos 5/],
    ['a wildcard escaping a letter', '{"n": [{"wildcard": "ca\\\\ke"}]}', /Invalid escape character at pos 3/],
    ['a CIDR block with too long a prefix', '{"ip": [{"cidr": "10.0.0.0/33"}]}', /cidr match pattern must be an IPv4 or IPv6 CIDR block/],
    ['$or with one branch', '{"$or": [{"a": ["x"]}]}', /There must have at least 2 Objects in \$or relationship\./],
    ['$or with an object', '{"$or": {"a": ["x"]}}', /It must be an Array followed with \$or\./],
    ['$or with a branch that is not an object', '{"$or": [{"a": ["x"]}, "b"]}', /Only JSON object is allowed in array of \$or relationship\./],
    ['$or with an operator name for a field', '{"$or": [{"prefix": ["x"]}, {"b": ["y"]}]}', /prefix is Ruler reserved fieldName which cannot be used inside \$or\./],
  ])('refuses %s with InvalidEventPatternException', (_case, pattern, message) => {
    expect(() => EventPattern.parse(pattern)).toThrow(expect.objectContaining({ name: 'InvalidEventPatternException', message: expect.stringMatching(message) }));
  });
});
