import { afterEach, describe, expect, it, vi } from "vitest";
import i18n, { browserLanguages, pickLanguage } from ".";

afterEach(() => vi.unstubAllGlobals());

describe("i18n", () => {
  it("picks the first browser language with resources, else English", () => {
    vi.stubGlobal("navigator", { languages: ["de-CH", "fr", "en-GB"], language: "de-CH" });
    expect(browserLanguages()).toEqual(["de-CH", "de", "fr", "en-GB", "en"]);
    expect(pickLanguage(["en", "fr"])).toBe("fr");
    expect(pickLanguage(["en", "de"])).toBe("de");
    expect(pickLanguage(["pt"])).toBe("en");
  });

  it("translates the shell's strings with interpolation, and <html lang> follows", async () => {
    expect(i18n.t("New {{label}}", { label: "Ticket" })).toBe("New Ticket");
    expect(i18n.t("A string nobody translated")).toBe("A string nobody translated");
    i18n.addResourceBundle("de", "translation", { "New {{label}}": "Neu: {{label}}" });
    await i18n.changeLanguage("de");
    try {
      expect(i18n.t("New {{label}}", { label: "Ticket" })).toBe("Neu: Ticket");
      expect(document.documentElement.lang).toBe("de");
    } finally {
      await i18n.changeLanguage("en");
    }
    expect(document.documentElement.lang).toBe("en");
  });
});
