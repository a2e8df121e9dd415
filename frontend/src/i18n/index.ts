/**
 * UI strings through react-i18next. Keys are the English text (Frappe's `__("Save")` habit),
 * so a missing translation still reads well; DocType and field labels come translated from
 * the metadata API and are not keys here.
 */
import i18n from "i18next";
import { initReactI18next } from "react-i18next";

export const resources = {
  en: { translation: {} as Record<string, string> },
};

void i18n.use(initReactI18next).init({
  resources,
  lng: typeof navigator !== "undefined" && navigator.language ? navigator.language.split("-")[0] : "en",
  fallbackLng: "en",
  keySeparator: false,
  nsSeparator: false,
  interpolation: { escapeValue: false },
  returnEmptyString: false,
});

export default i18n;
