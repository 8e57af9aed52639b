// Field shapes shared by HTTP bodies and Kafka envelopes.
import { z } from 'zod';

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
  .meta({ description: 'BCP 47 language tag', examples: ['en', 'es-MX'] });

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
  .meta({ examples: ['+15550001', 'anonymous'] });

export const Priority = z.int().min(0).max(100).meta({ description: 'higher is served first (0–100)' });

export const Metadata = z
  .record(z.string().max(64), z.unknown())
  .meta({ description: 'free-form data from the telephony edge, stored and passed along' });

export const Timestamp = z.iso.datetime({ offset: true });

/** A routing domain's name: a set of agents, queues and ring groups that shares no member with any other. */
export const RoutingDomainName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be lowercase letters, digits, _ or -, at most 63, starting with a letter or digit')
  .meta({ description: 'routing domain (one worker at a time decides for it)', examples: ['default', 'emea'] });

export const defaultRoutingDomain = 'default';

/** Seconds, fractions allowed (`0.5`), never negative. */
export const Seconds = z.number().min(0).max(86_400).meta({ description: 'seconds; fractions allowed' });
