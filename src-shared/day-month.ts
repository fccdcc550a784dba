/**
 * A day of the year as people write it: « 5 décembre », « 1er janvier » (French writes the
 * first of the month as an ordinal; Intl does not), "December 5". One wording for the
 * companion's screen and the sandbox authority's e-mail, which must say the same deadline.
 */
export function dayAndMonth(date: Date, lang: 'fr' | 'en'): string {
  const text = new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'long' }).format(date);
  return lang === 'fr' ? text.replace(/^1 /, '1er ') : text;
}
