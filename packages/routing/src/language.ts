// The language rule: an agent speaks a call's language when one tag is a subtag prefix of the other (`es` ~ `es-MX`).

export function normalizeLanguage(tag: string): string {
  return tag.trim().toLowerCase().replaceAll('_', '-');
}

/** Both tags normalized. `es` speaks `es-MX` and `es-MX` speaks `es`, but `es-ES` does not speak `es-MX`. */
export function languageMatches(agentTag: string, callTag: string): boolean {
  if (agentTag === callTag) return true;
  if (callTag.startsWith(agentTag) && callTag.charCodeAt(agentTag.length) === 45) return true;
  return agentTag.startsWith(callTag) && agentTag.charCodeAt(callTag.length) === 45;
}

export function speaks(agentLanguages: readonly string[], callTag: string): boolean {
  for (const tag of agentLanguages) if (languageMatches(tag, callTag)) return true;
  return false;
}
