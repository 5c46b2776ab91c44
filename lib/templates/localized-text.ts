/**
 * Choosing a template's name and description for the caller's language, as MSIPC does with the
 * LCID given to IpcGetTemplateList: the exact locale, then the same language with fewer subtags
 * (`fr-CA` -> `fr`), then any other region of the language (`fr` finds `fr-FR`), then the
 * template's default text.
 */
import { canonicalLocale, LocalizedText } from '../license/templates';

/** The caller's locale when none is given: the process's (from LANG / LC_ALL through ICU). */
export function defaultLocale(): string {
  return Intl.DateTimeFormat().resolvedOptions().locale;
}

/** The text of `texts` for `locale`, or `fallback`. `locale` must be a BCP 47 tag (INVALID_ARGUMENT otherwise). */
export function localizedText(texts: LocalizedText, locale: string, fallback: string): string {
  const wanted = canonicalLocale(locale);
  const subtags = wanted.split('-');
  for (let n = subtags.length; n > 0; n--) {
    const text = texts[subtags.slice(0, n).join('-')];
    if (text !== undefined) return text;
  }
  const language = subtags[0]!.toLowerCase();
  const sameLanguage = Object.keys(texts).sort().find((tag) => tag.split('-')[0]!.toLowerCase() === language);
  return sameLanguage === undefined ? fallback : texts[sameLanguage]!;
}
