import { pathSegmentProblem } from './request-path.js';

describe('pathSegmentProblem', () => {
  it.each(['tasks', '42', 'sign-in', 'caf%C3%A9', 'a.b', '%20x', 'x%00y'])('accepts %s', (segment) => {
    expect(pathSegmentProblem(segment)).toBeUndefined();
  });

  it.each([
    ['.', /dot segments/],
    ['..', /dot segments/],
    ['%2e', /dot segments/],
    ['%2E%2e', /dot segments/],
    ['email.', /end with a dot/],
    ['a\\b', /backslashes/],
    ['a%5cb', /^encoded "\/"/],
    ['..%2f', /^encoded "\/"/],
    ['%252e%252e', /^encoded "\/"/],
    ['%E0%A4%A', /malformed percent-encoding/],
  ])('refuses %s', (segment, reason) => {
    expect(pathSegmentProblem(segment)).toMatch(reason);
  });
});
