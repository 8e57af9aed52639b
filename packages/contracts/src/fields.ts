// Field shapes shared by HTTP bodies and Kafka envelopes.
import { z } from 'zod';

/**
 * Text PostgreSQL stores as it was sent. It refuses NUL (U+0000) in text and in jsonb, and jsonb refuses an unpaired
 * surrogate too (a text column would quietly store U+FFFD instead). Such a value reaching the database fails the
 * whole transaction, and POST /call shares its transaction with other callers' requests: every input is checked first.
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && text.isWellFormed();
}
export const storableTextMessage = 'must not contain NUL (U+0000) or an unpaired surrogate';

/**
 * The shape of a BCP 47 language tag (a Unicode locale identifier), any case: language (2–3 or 5–8 letters), then
 * optional script (4 letters), region (2 letters or 3 digits), variants, extensions and private use. It is what the
 * document shows; what is taken is what Intl.getCanonicalLocales takes, which this pattern never refuses (it lets a
 * few more through, such as a repeated variant, that Intl then refuses).
 */
export const languageTagPattern =
  '^(?:[A-Za-z]{2,3}|[A-Za-z]{5,8})(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*'
  + '(?:-[0-9A-WYZa-wyz](?:-[A-Za-z0-9]{2,8})+)*(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?$';
export const languageTagRule =
  'BCP 47 language tag, any case: language, then optional script, region, variants and extensions (`en`, `es-MX`, `zh-Hant-TW`, `es-419`); '
  + 'the pattern shows the shape, and a tag Intl.getCanonicalLocales refuses (a repeated variant) is refused too. '
  + 'An agent speaking `es` takes calls in `es-MX`';

/** A BCP 47 language tag such as `en`, `es-MX` or `fr-CA`. */
export const LanguageTag = z
  .string()
  .min(2)
  .max(35)
  .refine((tag) => {
    try {
      return Intl.getCanonicalLocales(tag).length === 1;
    } catch {
      return false;
    }
  }, 'must be a BCP 47 language tag such as "en" or "es-MX"')
  .meta({ description: languageTagRule, pattern: languageTagPattern, examples: ['en', 'es-MX'] });

/** A dialed number: an extension like `100` or an E.164 DID like `+15551234567`. */
export const DialedNumber = z
  .string()
  .regex(/^\+?[0-9*#]{1,32}$/, 'must be digits (optionally a leading +, * or #), at most 32')
  .meta({ examples: ['100', '+15551234567'] });

/** The caller's number or identity as the edge presents it (E.164, extension, or `anonymous`). */
export const CallerId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^\s]+$/, 'must not contain whitespace')
  .refine(isStorableText, storableTextMessage)
  .meta({ examples: ['+15550001', 'anonymous'] });

export const Priority = z.int().min(0).max(100).meta({ description: 'higher is served first (0–100)' });

/** `metadata` as stored and passed along; what a new call may carry is `MetadataInput`. */
export const Metadata = z
  .record(z.string().max(64), z.unknown())
  .meta({ description: 'free-form data from the telephony edge, stored and passed along' });

/**
 * How much `metadata` a new call may carry. The edge sends a few identifiers (SIP Call-ID, trunk, campaign), flat or
 * one or two levels deep; these bounds leave room for that many times over. Depth is what keeps everything after
 * validation safe: hashing the body and JSON.stringify (of the row, of the outbox messages) recurse, and a few
 * thousand levels overflow the stack. The byte bound keeps one call's metadata well inside the body limit (16 KiB by
 * default) and the outbox messages that copy it small; the key bound keeps a flat map of tiny keys from passing the
 * byte bound with thousands of entries.
 */
export const metadataLimits = { depth: 8, keys: 256, bytes: 8_192 } as const;

/** At most this many metadata problems are named in one answer: enough to fix a body, not a list as long as it. */
const maxMetadataIssues = 10;

/**
 * Walks `metadata` without recursion (it has not been bounded yet: that is what this checks), naming each problem at
 * its own path (`body.metadata.sip.callId`). The size is measured only once the depth is known to be sane, since
 * JSON.stringify recurses.
 */
function checkMetadata(metadata: Record<string, unknown>, ctx: z.RefinementCtx<Record<string, unknown>>): void {
  const { depth: maxDepth, keys: maxKeys, bytes: maxBytes } = metadataLimits;
  let issues = 0;
  const issue = (path: PropertyKey[], message: string) => {
    issues++;
    ctx.addIssue({ code: 'custom', message, path });
  };
  let keys = 0;
  let tooDeep = false;
  // Breadth first, so problems are named in the order a reader meets them, shallowest first.
  const pending: { value: unknown; path: PropertyKey[]; depth: number }[] = [{ value: metadata, path: [], depth: 1 }];
  for (let next = 0; next < pending.length && issues < maxMetadataIssues; next++) {
    const { value, path, depth } = pending[next]!;
    if (typeof value === 'string') {
      if (!isStorableText(value)) issue(path, storableTextMessage);
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > maxDepth) {
      tooDeep = true;
      issue(path, `is nested deeper than ${maxDepth} levels (metadata itself is the first)`);
      continue;
    }
    if (Array.isArray(value)) {
      value.forEach((element, i) => pending.push({ value: element, path: [...path, i], depth: depth + 1 }));
      continue;
    }
    for (const [key, element] of Object.entries(value)) {
      keys++;
      if (!isStorableText(key)) issue(path, 'has a key with NUL (U+0000) or an unpaired surrogate in it');
      pending.push({ value: element, path: [...path, key], depth: depth + 1 });
    }
  }
  if (issues >= maxMetadataIssues) return;
  if (keys > maxKeys) issue([], `has ${keys} keys in all; at most ${maxKeys} are allowed`);
  if (tooDeep) return;
  const bytes = new TextEncoder().encode(JSON.stringify(metadata)).length;
  if (bytes > maxBytes) issue([], `is ${bytes} bytes as JSON; at most ${maxBytes} are allowed`);
}

export const MetadataInput = Metadata.superRefine(checkMetadata).meta({
  description:
    'free-form data from the telephony edge, stored and passed along: at most ' +
    `${metadataLimits.depth} levels deep (metadata itself is the first), ${metadataLimits.keys} keys in all and ` +
    `${metadataLimits.bytes / 1024} KiB as JSON, with no NUL (U+0000) or unpaired surrogate in any key or string`,
});

export const Timestamp = z.iso.datetime({ offset: true });

/** A routing domain's name: a set of agents, queues and ring groups that shares no member with any other. */
export const RoutingDomainName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lowercase letters, digits, _ or -, at most 63, starting with a letter or digit')
  .meta({ description: 'routing domain (one worker at a time decides for it)', examples: ['default', 'emea'] });

export const defaultRoutingDomain = 'default';

/**
 * Seconds, fractions allowed (`0.5`) down to a millisecond, never negative. The columns are PostgreSQL `real`, which
 * cannot hold a positive value under about 1.4e-45 (`1e-300` failed the insert with a 500), so anything between 0 and
 * a millisecond is refused with the field named.
 */
const secondsRule = 'must be 0 or at least 0.001 (a millisecond)';
export const Seconds = z
  .number()
  .min(0)
  .max(86_400)
  .refine((seconds) => seconds <= 0 || seconds >= 0.001, secondsRule)
  // The rule in the document too (a field's own `.describe()` replaces this description, not the `not`).
  .meta({ description: `seconds; fractions allowed; ${secondsRule}`, not: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 0.001 } });
