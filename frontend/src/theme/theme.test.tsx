import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { initTheme, preferredTheme, setTheme, THEME_STORAGE_KEY, useTheme } from "./theme";

function stubSystemDark(dark: boolean) {
  const listeners: Array<() => void> = [];
  const query = { matches: dark, addEventListener: (_: string, l: () => void) => listeners.push(l) };
  vi.stubGlobal("matchMedia", () => query);
  return {
    change(next: boolean) {
      query.matches = next;
      listeners.forEach((l) => l());
    },
  };
}

beforeEach(() => {
  localStorage.clear();
  document.documentElement.removeAttribute("data-theme");
});
afterEach(() => vi.unstubAllGlobals());

describe("theme", () => {
  it("defaults to the OS preference and follows it until the user chooses", () => {
    const system = stubSystemDark(true);
    initTheme();
    expect(document.documentElement.dataset.theme).toBe("dark");
    system.change(false);
    expect(document.documentElement.dataset.theme).toBe("light");
    setTheme("dark");
    system.change(false);
    expect(document.documentElement.dataset.theme).toBe("dark");
  });

  it("remembers the choice in localStorage", () => {
    stubSystemDark(false);
    setTheme("dark");
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe("dark");
    document.documentElement.removeAttribute("data-theme");
    expect(preferredTheme()).toBe("dark");
    initTheme();
    expect(document.documentElement.dataset.theme).toBe("dark");
    localStorage.setItem(THEME_STORAGE_KEY, "purple"); // not a theme: ignored
    expect(preferredTheme()).toBe("light");
  });

  it("re-renders components using it", () => {
    stubSystemDark(false);
    initTheme();
    function Probe() {
      const { theme, toggle } = useTheme();
      return <button onClick={toggle}>{theme}</button>;
    }
    render(<Probe />);
    expect(screen.getByRole("button")).toHaveTextContent("light");
    act(() => screen.getByRole("button").click());
    expect(screen.getByRole("button")).toHaveTextContent("dark");
    act(() => setTheme("light"));
    expect(screen.getByRole("button")).toHaveTextContent("light");
  });
});
