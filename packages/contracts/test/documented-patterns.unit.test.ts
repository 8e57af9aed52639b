// The patterns the OpenAPI document shows agree with what is taken: a client checking a value against the document's
// pattern never refuses one the API would take.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LanguageTag, languageTagPattern, PageCursor } from '@switchboard/contracts';

const pattern = new RegExp(languageTagPattern);

describe('the language-tag pattern', () => {
  it('matches every tag LanguageTag takes (it may let through a few LanguageTag refuses)', () => {
    const subtag = fc.constantFrom('en', 'es', 'zh', 'yue', 'und', 'abcde', 'Latn', 'Hant', 'MX', '419', 'us', '1996', 'rozaj', 'biske',
      'u', 't', 'x', 'a', 'ca', 'buddhist', 'nu', 'foo', '1', '12', '123', 'abcdefghi', '', 'x1', 'ZZ', 'a_b', ' ');
    fc.assert(fc.property(fc.array(subtag, { minLength: 1, maxLength: 6 }), (parts) => {
      const tag = parts.join('-');
      if (LanguageTag.safeParse(tag).success) expect(pattern.test(tag), tag).toBe(true);
    }), { numRuns: 20_000 });
  });

  it.each(['en', 'es-MX', 'EN-us', 'zh-Hant-TW', 'es-419', 'sl-rozaj-biske-1994', 'en-US-u-ca-buddhist', 'en-x-twain', 'art-lojban'])('shows %s as a tag', (tag) => {
    expect(LanguageTag.safeParse(tag).success).toBe(true);
    expect(pattern.test(tag)).toBe(true);
  });

  it.each(['not a tag', 'en_US', 'e', 'en-', 'en--US', 'abcdefghi', 'x-private', 'sgn-BE-FR', '123'])('refuses %s, as LanguageTag does', (tag) => {
    expect(LanguageTag.safeParse(tag).success).toBe(false);
    expect(pattern.test(tag)).toBe(false);
  });
});

describe('the cursor pattern', () => {
  it('matches the cursors the API gives (base64url of a timestamp and an id) and refuses other text', () => {
    const cursor = Buffer.from('2026-11-24T13:11:19.601123+00:00|0b3f7c55-1f6e-4a8e-9a57-0c6f4a1c2d11').toString('base64url');
    expect(PageCursor.safeParse(cursor).success).toBe(true);
    const result = PageCursor.safeParse('not a cursor!');
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toBe('is not a cursor this API gave');
  });
});
