// Timestamps of the configuration queries (exact ISO text) as the API shows them (ISO, milliseconds, like calls).
export const isoText = (text: string): string => new Date(text).toISOString();
export const isoOrNull = (text: string | null): string | null => (text === null ? null : isoText(text));
