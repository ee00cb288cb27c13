import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/core/http-error.js';
import { createFaultline } from '../../src/core/pipeline.js';
import {
  REDACTED,
  Scrubber,
  scrubHeaders,
  scrubString,
  splitTarget,
} from '../../src/core/scrub.js';
import { memoryLogger } from '../support/memory-logger.js';

/** One planted secret of each kind: `text` is how it appears, `secret` what must never leak. */
const CANARIES = {
  bearer: { text: 'Bearer CANARYbearer0123456789', secret: 'CANARYbearer' },
  jwt: {
    text: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.CANARYjwtSignature_x-0',
    secret: 'CANARYjwt',
  },
  awsKey: { text: 'AKIACANARYAWS0KEY123', secret: 'CANARYAWS0KEY' },
  awsSecret: {
    text: 'aws_secret_access_key=CANARYawsSecret/K7MDENG+bPxRfiCY',
    secret: 'CANARYawsSecret',
  },
  pem: {
    text: '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA0CANARYpemBody\nqNmZ==\n-----END RSA PRIVATE KEY-----',
    secret: 'CANARYpem',
  },
  urlCredentials: {
    text: 'postgres://admin:CANARYurlPass@db.internal:5432/app',
    secret: 'CANARYurl',
  },
  password: { text: 'password=CANARYpassword', secret: 'CANARYpassword' },
  jsonApiKey: { text: '{"api_key": "CANARYjson apikey"}', secret: 'CANARYjson' },
  secretColon: { text: 'client_secret: CANARYclientsecret', secret: 'CANARYclientsecret' },
  token: { text: 'refresh_token=CANARYrefresh', secret: 'CANARYrefresh' },
  authorization: { text: "authorization='CANARYauthzquoted'", secret: 'CANARYauthz' },
  // Luhn-valid test numbers of the card networks, plain and grouped.
  visa: { text: '4111 1111 1111 1111', secret: '1111 1111 1111' },
  mastercard: { text: '5555-5555-5555-4444', secret: '5555-5555-4444' },
  amex: { text: '378282246310005', secret: '378282246310005' },
  stripeKey: { text: 'sk_live_CANARYstripe0123456789', secret: 'CANARYstripe' },
  stripeRestricted: { text: 'rk_test_CANARYrestricted42', secret: 'CANARYrestricted' },
  awsSecretAlone: { text: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARY9KEY', secret: 'CANARY9KEY' },
} as const;

type Kind = keyof typeof CANARIES;
const KINDS = Object.keys(CANARIES) as Kind[];

describe('Scrubber.string', () => {
  const s = new Scrubber();

  it.each(KINDS)('removes a %s canary and keeps the surrounding text', (kind) => {
    const { text, secret } = CANARIES[kind];
    const out = s.string(`before ${text} after`);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
    expect(out.startsWith('before ')).toBe(true);
    expect(out.endsWith(' after') || kind === 'pem').toBe(true);
  });

  it('keeps key names and structure, redacting only values', () => {
    expect(s.string('login failed: password=hunter2&user=bob')).toBe(
      'login failed: password=[redacted]&user=bob',
    );
    expect(s.string('{"api_key":"a b","ok":1}')).toBe('{"api_key":"[redacted]","ok":1}');
    expect(s.string('{\\"token\\":\\"abc\\"}')).toBe('{\\"token\\":\\"[redacted]\\"}');
    expect(s.string('postgres://admin:pw@db:5432/x')).toBe('postgres://[redacted]@db:5432/x');
    expect(s.string('Cookie: a=b; c=d\nnext line')).toBe('Cookie: [redacted]\nnext line');
    expect(s.string("['password' => 'hunter 2']")).toBe("['password' => '[redacted]']");
    expect(s.string("['password' => 'hunter 2']")).toBe("['password' => '[redacted]']");
  });

  it('treats a raw @ in a URL password as part of the password', () => {
    const out = s.string('redis://default:p@ss@w0rd@cache:6379');
    expect(out).toBe('redis://[redacted]@cache:6379');
  });

  it('redacts a private key block cut short by a length bound', () => {
    const out = s.string('key: -----BEGIN PRIVATE KEY-----\nMIIsecretbody…[900 more chars]');
    expect(out).not.toContain('MIIsecretbody');
  });

  it('leaves ordinary error text and stack locations alone', () => {
    const text = [
      'TypeError: Cannot read properties of undefined (reading "id")',
      '    at login (/app/src/session.js:12:3)',
      '    at refreshToken (file:///app/token-service.ts:40:11)',
      'basic validation failed; the token was missing',
    ].join('\n');
    expect(s.string(text)).toBe(text);
  });

  it('does not let one pattern hide another (each runs on the original text)', () => {
    // Applied in sequence, the JWT rule would eat `.Bearer` and leave the token behind it.
    const out = s.string('eyJhbGciOiJIUzI1NiJ9.Bearer CANARYafterjwt0000');
    expect(out).not.toContain('CANARYafterjwt');
  });

  it('applies extra keys and patterns, redacting only `secret*` groups when present', () => {
    const custom = new Scrubber({
      keys: ['ssn'],
      patterns: [/card=(?<secret>\d+)/, /INTERNAL-[A-Z]{6}/],
    });
    expect(custom.string('ssn: 123-45-6789 card=4111111111111111 id INTERNAL-ABCDEF')).toBe(
      'ssn: [redacted] card=[redacted] id [redacted]',
    );
    expect(custom.isSensitiveKey('X-SSN-Number')).toBe(true);
    expect(new Scrubber().isSensitiveKey('x-ssn-number')).toBe(false);
  });

  it('is linear on hostile input (no catastrophic backtracking)', () => {
    const hostile = [
      'token'.repeat(4000),
      `${'a://'.repeat(3000)}x`,
      `password=${'x'.repeat(20_000)}`,
      `eyJ${'A'.repeat(20_000)}`,
      `-----BEGIN PRIVATE KEY-----${'-----BEGIN PRIVATE KEY-----'.repeat(500)}`,
      `http://${'a'.repeat(20_000)}`,
      '4'.repeat(20_000),
      '4111 '.repeat(4000),
      'A1b/'.repeat(5000),
    ];
    const started = performance.now();
    for (const h of hostile) s.string(h);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('property: never throws, and planted canaries never survive arbitrary surroundings', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.constantFrom(...KINDS),
        fc.string({ maxLength: 200 }),
        (before, kind, after) => {
          const { text, secret } = CANARIES[kind];
          // A line break separates the canary from the arbitrary text: a secret glued to
          // arbitrary characters is a different string, not this canary.
          const out = s.string(`${before}\n${text}\n${after}`);
          return !out.includes(secret);
        },
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 2000, unit: 'binary' }), (text) => {
        expect(typeof s.string(text)).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});

describe('card numbers and keys without a key name', () => {
  const s = new Scrubber();
  it('redacts only digit runs that pass the Luhn check and start like a card', () => {
    expect(s.string('card 4111111111111112 declined')).toBe('card 4111111111111112 declined');
    expect(s.string('at 1700000000000 ms')).toBe('at 1700000000000 ms');
    expect(s.string('order 79927398713')).toBe('order 79927398713');
    expect(s.string('card 4111111111111111 declined')).toBe('card [redacted] declined');
    expect(s.string('n=6011111111111117;')).toBe('n=[redacted];');
  });

  it('leaves 40-character git SHAs and words alone but redacts mixed base64 keys', () => {
    const sha = 'commit 0123456789abcdef0123456789abcdef01234567';
    expect(s.string(sha)).toBe(sha);
    expect(s.string('key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY.')).toBe('key [redacted].');
    // 41 characters: not an AWS secret key.
    const long = 'x wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYZ y';
    expect(s.string(long)).toBe(long);
  });
});

describe('scrubHeaders / splitTarget', () => {
  it('replaces credential headers, headers named after secrets, and secrets inside values', () => {
    const out = scrubHeaders({
      authorization: 'Bearer abcdefghijkl',
      cookie: 'sid=1',
      'x-session-token': 'abc',
      referer: 'https://u:pw@example.com/',
      accept: 'text/html',
      'x-multi': ['token=abc', 'plain'],
      'x-none': undefined,
    });
    expect(out).toEqual({
      authorization: REDACTED,
      cookie: REDACTED,
      'x-session-token': REDACTED,
      referer: 'https://[redacted]@example.com/',
      accept: 'text/html',
      'x-multi': ['token=[redacted]', 'plain'],
    });
  });

  it('keeps query key names and drops their values', () => {
    expect(splitTarget('/a/b?password=x&y=2&flag')).toEqual({
      path: '/a/b',
      queryKeys: ['password', 'y', 'flag'],
    });
    expect(scrubString('plain')).toBe('plain');
  });
});

describe('canaries never reach the log output', () => {
  it('covers headers, query, path, message, stack, cause chain, AggregateError members, codes, non-Error values and custom rules', () => {
    const { logger, text, records } = memoryLogger('debug');
    const fl = createFaultline({
      logger,
      storm: false,
      telemetry: false,
      scrub: { keys: ['ssn'], patterns: [/ACME-[0-9]{6}/g] },
    });
    const all = KINDS.map((k) => CANARIES[k].text).join(' | ');
    const member1 = new Error(`member one ${CANARIES.jwt.text}`);
    const member2 = new Error(`member two ${CANARIES.pem.text}`);
    const deepCause = new Error(`deep cause ${CANARIES.urlCredentials.text}`);
    const cause = new Error(`cause ${CANARIES.awsKey.text}`, { cause: deepCause });
    const aggregate = new AggregateError([member1, member2], `aggregate ${CANARIES.token.text}`, {
      cause,
    });
    const top = new Error(`top ${all} ssn=CANARYssn ACME-123456`, { cause: aggregate });
    (top as Error & { code: string }).code = 'token=CANARYcode';
    top.stack = `${top.stack}\n    at hidden (${CANARIES.awsSecret.text})`;
    const req = {
      method: 'POST',
      url: `/reset/${CANARIES.jwt.text}?password=CANARYquery&api_key=CANARYquery2`,
      headers: {
        authorization: CANARIES.bearer.text,
        cookie: 'session=CANARYcookie',
        'x-api-key': 'CANARYxapikey',
        'x-session-token': 'CANARYsesstoken',
        'x-ssn': 'CANARYssnheader',
        referer: `https://user:CANARYreferer@example.com/`,
        'x-forwarded-for': CANARIES.password.text,
        'x-debug': ['token=CANARYarray', 'ok'],
      },
      remoteAddress: '127.0.0.1',
      requestId: 'req-1',
    };
    fl.respond(top, req);
    fl.respond({ token: 'CANARYobject', note: CANARIES.bearer.text }, req);
    fl.respond(`thrown string ${CANARIES.password.text}`, req);

    const out = text();
    const canaries = [
      ...KINDS.map((k) => CANARIES[k].secret),
      'CANARYssn',
      'ACME-123456',
      'CANARYcode',
      'CANARYquery',
      'CANARYcookie',
      'CANARYxapikey',
      'CANARYsesstoken',
      'CANARYreferer',
      'CANARYarray',
      'CANARYobject',
    ];
    for (const c of canaries) expect(out, c).not.toContain(c);
    // The records are there and still useful: three 500s with the causes, names and paths kept.
    const recs = records();
    expect(recs).toHaveLength(3);
    const first = recs[0] as {
      error: { causes: Array<{ name: string }> };
      request: { path: string };
    };
    expect(first.error.causes.map((c) => c.name)).toEqual([
      'AggregateError',
      'Error',
      'Error',
      'Error',
      'Error',
    ]);
    expect(first.request.path).toBe('/reset/[redacted]');
  });

  it('scrubs every string of a record: error.thrown, the code, method and request id too', () => {
    const { logger, text } = memoryLogger('debug');
    const fl = createFaultline({ logger, storm: false });
    const e = new Error('m');
    e.name = 'password=NAMESECRET42';
    const coded = new HttpError(500, 'x', { code: 'AKIACANARYCODE000000' });
    fl.respond(e, {
      method: 'GET',
      url: '/',
      headers: {},
      remoteAddress: '127.0.0.1',
      requestId: 'token:REQSECRET7',
    });
    fl.respond(coded, {
      method: 'token=METHODSECRET',
      url: '/',
      headers: {},
      remoteAddress: undefined,
      requestId: undefined,
    });
    const out = text();
    expect(out).toContain('"thrown":"password=[redacted]"');
    for (const secret of ['NAMESECRET42', 'CANARYCODE', 'REQSECRET7', 'METHODSECRET'])
      expect(out).not.toContain(secret);
  });

  it('rejects turning scrubbing off, and invalid rules, at startup', () => {
    expect(() => createFaultline({ logger: false, scrub: false as never })).toThrow(
      /option "scrub" must be an object, got false \(scrubbing cannot be turned off\)/,
    );
    expect(() => createFaultline({ logger: false, scrub: { keys: [''] } })).toThrow(
      /option "scrub.keys"/,
    );
    expect(() => createFaultline({ logger: false, scrub: { patterns: ['x' as never] } })).toThrow(
      /option "scrub.patterns" must be an array of RegExp/,
    );
    expect(() => createFaultline({ logger: false, scrub: { patterns: [/x*/] } })).toThrow(
      /matches the empty string/,
    );
    expect(() => createFaultline({ logger: false, scrub: { key: [] } as never })).toThrow(
      /option "scrub.key" is not a known setting/,
    );
  });
});
