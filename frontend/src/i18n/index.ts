/**
 * UI strings through react-i18next. Keys are the English text (Frappe's `__("Save")` habit),
 * so a missing translation still reads well; DocType and field labels come translated from
 * the metadata API and are not keys here. The language is the browser's (navigator.languages),
 * among those with resources; <html lang> follows what is shown.
 */
import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import { en } from "./en";

export const resources = {
  en: { translation: en },
};

/** The browser's preferred languages, most preferred first ("de-CH" also offers "de"). */
export function browserLanguages(): string[] {
  if (typeof navigator === "undefined") return ["en"];
  const list = navigator.languages?.length ? navigator.languages : [navigator.language || "en"];
  return [...new Set(list.flatMap((tag) => [tag, tag.split("-")[0]]))];
}

/** The first browser language the Desk has resources for, else English. */
export function pickLanguage(available: string[] = Object.keys(resources)): string {
  return browserLanguages().find((tag) => available.includes(tag)) ?? "en";
}

void i18n.use(initReactI18next).init({
  resources,
  lng: pickLanguage(),
  fallbackLng: "en",
  keySeparator: false,
  nsSeparator: false,
  interpolation: { escapeValue: false },
  returnEmptyString: false,
});

function syncHtmlLang(language: string) {
  if (typeof document !== "undefined") document.documentElement.lang = language;
}
syncHtmlLang(i18n.resolvedLanguage ?? i18n.language);
i18n.on("languageChanged", syncHtmlLang);

export default i18n;
